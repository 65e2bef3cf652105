package org.infllava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code %maven} against a fake local repository written here: parent, transitive, classifier and test deps. */
class LocalMavenResolverTest {

    @TempDir
    Path repo;

    private static String dep(String g, String a, String v, String extra) {
        return "<dependency><groupId>" + g + "</groupId><artifactId>" + a + "</artifactId>"
                + (v == null ? "" : "<version>" + v + "</version>") + extra + "</dependency>";
    }

    private void pom(String g, String a, String v, String body) throws Exception {
        Path dir = repo.resolve(g.replace('.', '/')).resolve(a).resolve(v);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(a + "-" + v + ".pom"), "<?xml version=\"1.0\"?>\n<project>"
                + "<modelVersion>4.0.0</modelVersion><groupId>" + g + "</groupId><artifactId>" + a
                + "</artifactId><version>" + v + "</version>" + body + "</project>");
    }

    private Path jar(String g, String a, String v, String classifier) throws Exception {
        Path dir = repo.resolve(g.replace('.', '/')).resolve(a).resolve(v);
        Files.createDirectories(dir);
        Path p = dir.resolve(a + "-" + v + (classifier == null ? "" : "-" + classifier) + ".jar");
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(out, new Manifest())) {
            j.flush();
        }
        return p;
    }

    private void writeRepo() throws Exception {
        // parent manages the natives' version through a property, like the toolkit's root pom
        pom("com.example", "parent", "1", "<packaging>pom</packaging><properties><natives.version>7.1"
                + "</natives.version></properties><dependencyManagement><dependencies>"
                + dep("com.example", "natives", "${natives.version}", "<classifier>linux-x86_64</classifier>")
                + "</dependencies></dependencyManagement>");
        pom("com.example", "app", "1.0-SNAPSHOT",
                "<parent><groupId>com.example</groupId><artifactId>parent</artifactId><version>1</version></parent>"
                + "<dependencies>"
                + dep("com.example", "lib", "2.0", "")
                + dep("com.example", "natives", null, "<classifier>linux-x86_64</classifier><scope>runtime</scope>")
                + dep("com.example", "testonly", "1.0", "<scope>test</scope>")
                + dep("com.example", "prov", "1.0", "<scope>provided</scope>")
                + "</dependencies>");
        jar("com.example", "app", "1.0-SNAPSHOT", null);
        pom("com.example", "lib", "2.0", "<dependencies>" + dep("com.example", "deep", "3.0", "") + "</dependencies>");
        jar("com.example", "lib", "2.0", null);
        pom("com.example", "deep", "3.0", "");
        jar("com.example", "deep", "3.0", null);
        pom("com.example", "natives", "7.1", "");
        jar("com.example", "natives", "7.1", "linux-x86_64");
    }

    @Test
    void resolvesTransitiveAndClassifierRuntimeDependenciesOffline() throws Exception {
        writeRepo();
        LocalMavenResolver r = LocalMavenResolver.builder().optLocalRepository(repo).build();
        List<String> names = r.resolve("com.example:app:1.0-SNAPSHOT").stream()
                .map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(List.of("app-1.0-SNAPSHOT.jar", "deep-3.0.jar", "lib-2.0.jar", "natives-7.1-linux-x86_64.jar"),
                names);
        assertTrue(r.resolve("com.example:app:1.0-SNAPSHOT").get(0).startsWith(repo.toAbsolutePath()));
    }

    @Test
    void explicitClassifierCoordinates() throws Exception {
        writeRepo();
        LocalMavenResolver r = LocalMavenResolver.builder().optLocalRepository(repo).build();
        assertEquals(List.of("natives-7.1-linux-x86_64.jar"), r.resolve("com.example:natives:jar:linux-x86_64:7.1")
                .stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void missingArtifactSaysToRunMvnInstall() throws Exception {
        writeRepo();
        Files.delete(repo.resolve("com/example/deep/3.0/deep-3.0.jar"));
        LocalMavenResolver r = LocalMavenResolver.builder().optLocalRepository(repo).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.resolve("com.example:app:1.0-SNAPSHOT"));
        assertTrue(e.getMessage().contains("mvn install") && e.getMessage().contains("deep"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> r.resolve("org.nowhere:nothing:1.0"));
        assertTrue(none.getMessage().startsWith("org.nowhere:nothing:1.0: not resolvable"), none.getMessage());
    }

    @Test
    void badCoordinatesAreNamed() throws Exception {
        LocalMavenResolver r = LocalMavenResolver.builder().optLocalRepository(repo).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.resolve("just-a-name"));
        assertTrue(e.getMessage().contains("'just-a-name'"), e.getMessage());
    }
}
