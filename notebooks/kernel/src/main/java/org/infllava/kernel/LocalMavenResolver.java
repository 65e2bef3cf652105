package org.infllava.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * {@code %maven}: resolves Maven coordinates with their transitive runtime dependencies (classifier-bearing ones
 * such as {@code ai.djl.pytorch:pytorch-native-cpu:linux-x86_64} included) from the local Maven repository alone,
 * offline, through Maven Resolver with Maven's own POM model builder (parents, imported BOMs, properties,
 * {@code activeByDefault} profiles). Coordinates are {@code group:artifact:version},
 * {@code group:artifact:extension:version} or {@code group:artifact:extension:classifier:version}.
 * <pre>{@code
 * var r = LocalMavenResolver.builder().build();            // ~/.m2/repository, -Dmaven.repo.local or $M2_REPO
 * List<Path> jars = r.resolve("org.infllava:toolkit-cli:0.1.0-SNAPSHOT");
 * }</pre>
 */
public final class LocalMavenResolver {

    private final Path localRepository;
    private final RepositorySystem system;

    private LocalMavenResolver(Builder b) {
        this.localRepository = b.localRepository;
        this.system = new RepositorySystemSupplier().get();
    }

    /** A builder whose local repository defaults to {@link #defaultLocalRepository()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The local repository Maven uses: {@code -Dmaven.repo.local}, else {@code $M2_REPO}, else
     * {@code ~/.m2/repository}.
     */
    public static Path defaultLocalRepository() {
        String prop = System.getProperty("maven.repo.local");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("M2_REPO");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The local repository this resolver reads. */
    public Path localRepository() {
        return localRepository;
    }

    /**
     * The jars of the given coordinates and of their transitive compile and runtime dependencies, in resolution
     * order (the requested artifacts first).
     *
     * @throws IllegalArgumentException for malformed coordinates, or an artifact or POM missing from the local
     *     repository; the message names the artifact and says to run {@code mvn install}
     */
    public List<Path> resolve(String... coordinates) {
        if (coordinates.length == 0) {
            throw new IllegalArgumentException("%maven needs coordinates: group:artifact:version");
        }
        CollectRequest collect = new CollectRequest();
        for (String c : coordinates) {
            Artifact a;
            try {
                a = new DefaultArtifact(c);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad Maven coordinates '" + c
                        + "': expected group:artifact:version or group:artifact:extension[:classifier]:version");
            }
            collect.addDependency(new Dependency(a, JavaScopes.RUNTIME));
        }
        DependencyRequest request = new DependencyRequest(collect,
                DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositories(new LocalRepository(localRepository, "simple"))
                .setOffline(true)
                .setSystemProperties(System.getProperties())
                .setConfigProperty("aether.syncContext.named.factory", "noop")
                .build()) {
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults()) {
                Path p = r.getArtifact().getPath();
                if (p != null && !jars.contains(p)) {
                    jars.add(p);
                }
            }
            return jars;
        } catch (DependencyResolutionException e) {
            throw new IllegalArgumentException(missingMessage(String.join(" ", coordinates), e), e);
        }
    }

    private String missingMessage(String coords, DependencyResolutionException e) {
        List<String> missing = new ArrayList<>();
        if (e.getResult() != null) {
            for (ArtifactResult r : e.getResult().getArtifactResults()) {
                if (!r.isResolved()) {
                    missing.add(r.getRequest().getArtifact().toString());
                }
            }
            for (Exception c : e.getResult().getCollectExceptions()) {
                missing.add(firstLine(c.getMessage()));
            }
        }
        String detail = missing.isEmpty() ? firstLine(e.getMessage()) : "missing " + String.join(", ", missing);
        return coords + ": not resolvable from the local Maven repository " + localRepository + " (offline): "
                + detail + "; run 'mvn install' in the project that builds it (or 'mvn dependency:get -Dartifact=...'"
                + " for a published artifact) first";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /** Builds a {@link LocalMavenResolver}. */
    public static final class Builder {
        private Path localRepository = defaultLocalRepository();

        private Builder() {
        }

        /** The local repository to read (default {@link #defaultLocalRepository()}). */
        public Builder optLocalRepository(Path dir) {
            this.localRepository = Objects.requireNonNull(dir, "localRepository");
            return this;
        }

        /** Validates and builds. */
        public LocalMavenResolver build() {
            if (!Files.isDirectory(localRepository)) {
                throw new IllegalArgumentException("local Maven repository " + localRepository
                        + " is not a directory; run 'mvn install' first or set -Dmaven.repo.local");
            }
            localRepository = localRepository.toAbsolutePath().normalize();
            return new LocalMavenResolver(this);
        }
    }
}
