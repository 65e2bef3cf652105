package org.infllava.kernel;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Jupyter kernel spec ({@code kernels/NAME/kernel.json}): how Jupyter starts the kernel. {@code argv} holds
 * {@code {connection_file}}, which Jupyter replaces; interrupts arrive as messages on the control channel.
 * <pre>{@code
 * KernelSpec.builder().setArgv(List.of(java, "-jar", jar, "kernel", "run", "{connection_file}")).build()
 *         .install(KernelSpec.userKernelsDir());   // ~/.local/share/jupyter/kernels/java/kernel.json
 * }</pre>
 *
 * @param name the spec's directory name and the notebooks' {@code kernelspec.name}
 * @param displayName what Jupyter shows
 * @param argv the command line, with {@code {connection_file}}
 * @param env environment variables Jupyter adds
 */
public record KernelSpec(String name, String displayName, List<String> argv, Map<String, String> env) {

    /** The kernel spec name the notebooks use (IJava's). */
    public static final String DEFAULT_NAME = "java";
    /** What Jupyter shows for this kernel. */
    public static final String DEFAULT_DISPLAY_NAME = "Java (INF-LLaVA toolkit)";
    /** Jupyter's placeholder for the connection file in {@code argv}. */
    public static final String CONNECTION_FILE = "{connection_file}";

    /** A validated spec with immutable copies of its lists. */
    public KernelSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    /** A builder with the default name and display name. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code kernel.json}'s content. */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("argv", argv);
        json.put("display_name", displayName);
        json.put("language", "java");
        json.put("interrupt_mode", "message");
        json.put("env", new java.util.TreeMap<>(env));
        json.put("metadata", Map.of("debugger", false));
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n";
    }

    /**
     * Writes {@code kernelsDir/NAME/kernel.json} (atomically, replacing an earlier one).
     *
     * @return the spec's directory
     */
    public Path install(Path kernelsDir) throws IOException {
        Path dir = kernelsDir.resolve(name);
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "kernel", ".json.tmp");
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("kernel.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** Jupyter's per-user kernels directory: {@code $JUPYTER_DATA_DIR/kernels}, else {@code ~/.local/share/jupyter/kernels}. */
    public static Path userKernelsDir() {
        String data = System.getenv("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) {
            return Path.of(data, "kernels");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("jupyter").resolve("kernels");
    }

    /** The kernels directory under an installation prefix: {@code PREFIX/share/jupyter/kernels}. */
    public static Path prefixKernelsDir(Path prefix) {
        return prefix.resolve("share").resolve("jupyter").resolve("kernels");
    }

    /** The system-wide kernels directory {@code jupyter kernelspec install} uses: {@code /usr/local/share/jupyter/kernels}. */
    public static Path systemKernelsDir() {
        return prefixKernelsDir(Path.of("/usr/local"));
    }

    /** Builds a {@link KernelSpec}. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private String displayName = DEFAULT_DISPLAY_NAME;
        private List<String> argv;
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder() {
        }

        /** The command line; it must contain {@value KernelSpec#CONNECTION_FILE}. */
        public Builder setArgv(List<String> argv) {
            this.argv = List.copyOf(argv);
            return this;
        }

        /** The spec name (default {@value KernelSpec#DEFAULT_NAME}). */
        public Builder optName(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The display name (default {@value KernelSpec#DEFAULT_DISPLAY_NAME}). */
        public Builder optDisplayName(String displayName) {
            this.displayName = Objects.requireNonNull(displayName, "displayName");
            return this;
        }

        /** An environment variable Jupyter sets for the kernel. */
        public Builder addEnv(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** Validates and builds. */
        public KernelSpec build() {
            if (argv == null || argv.isEmpty()) {
                throw new IllegalArgumentException("argv must be set");
            }
            if (!argv.contains(CONNECTION_FILE)) {
                throw new IllegalArgumentException("argv must contain " + CONNECTION_FILE + ", got " + argv);
            }
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-', got '" + name + "'");
            }
            return new KernelSpec(name, displayName, argv, env);
        }
    }
}
