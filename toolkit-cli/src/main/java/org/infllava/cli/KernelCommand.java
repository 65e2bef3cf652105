package org.infllava.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.infllava.io.InvalidInputException;
import org.infllava.kernel.JavaKernel;
import org.infllava.kernel.KernelLauncher;
import org.infllava.kernel.KernelSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code infllava kernel}: the toolkit's Jupyter kernel ({@code notebooks/kernel}). {@code install} writes a kernel
 * spec that starts {@code kernel run} in this jar's JVM, so the whole toolkit is on the kernel's class path.
 */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "The Java Jupyter kernel (IJava-compatible: %jars, %classpath, %maven).",
        subcommands = {KernelCommand.Install.class, KernelCommand.Run.class})
final class KernelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code infllava kernel install [--user | --prefix DIR] [--name java]}. */
    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Write the kernel spec kernels/NAME/kernel.json: to ~/.local/share/jupyter/kernels with --user, "
                    + "PREFIX/share/jupyter/kernels with --prefix, else /usr/local/share/jupyter/kernels "
                    + "(as 'jupyter kernelspec install').")
    static final class Install implements Callable<Integer> {
        @Option(names = "--user", description = "Install for the current user ($JUPYTER_DATA_DIR/kernels or "
                + "~/.local/share/jupyter/kernels).")
        boolean user;

        @Option(names = "--prefix", paramLabel = "DIR", description = "Install under DIR/share/jupyter/kernels.")
        Path prefix;

        @Option(names = "--name", defaultValue = KernelSpec.DEFAULT_NAME,
                description = "Kernel spec name, the notebooks' kernelspec.name (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--display-name", defaultValue = KernelSpec.DEFAULT_DISPLAY_NAME,
                description = "Name Jupyter shows (default: ${DEFAULT-VALUE}).")
        String displayName;

        @Option(names = "--jvm-opt", paramLabel = "OPT", description = "Extra JVM option for the kernel (repeatable),"
                + " e.g. --jvm-opt=-Xmx8g.")
        List<String> jvmOpts = new ArrayList<>();

        @Option(names = "--env", paramLabel = "KEY=VALUE", description = "Environment variable Jupyter sets for the"
                + " kernel (repeatable).")
        Map<String, String> env = new LinkedHashMap<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (user && prefix != null) {
                throw new InvalidInputException("--user and --prefix exclude each other");
            }
            KernelSpec.Builder b = KernelSpec.builder().setArgv(argv(jvmOpts)).optDisplayName(displayName);
            try {
                b.optName(name);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--name: " + e.getMessage());
            }
            env.forEach(b::addEnv);
            KernelSpec ks;
            try {
                ks = b.build();
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--name: " + e.getMessage());
            }
            Path kernels = user ? KernelSpec.userKernelsDir()
                    : prefix != null ? KernelSpec.prefixKernelsDir(prefix.toAbsolutePath())
                    : KernelSpec.systemKernelsDir();
            Path dir;
            try {
                dir = ks.install(kernels);
            } catch (IOException e) {
                throw new InvalidInputException(kernels, "cannot write the kernel spec there (" + e
                        + "); try --user or --prefix DIR");
            }
            spec.commandLine().getOut().printf("installed kernel spec '%s' (%s) in %s%n", ks.name(),
                    ks.displayName(), dir);
            return 0;
        }
    }

    /** {@code infllava kernel run CONNECTION_FILE}: what Jupyter starts (hidden). */
    @Command(name = "run", hidden = true, mixinStandardHelpOptions = true,
            description = "Serve the kernel on a Jupyter connection file (Jupyter runs this).")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CONNECTION_FILE", description = "Jupyter's connection file.")
        Path connectionFile;

        @Override
        public Integer call() throws IOException {
            try {
                KernelLauncher.run(connectionFile);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(connectionFile, e.getMessage());
            }
            return 0;
        }
    }

    /**
     * The kernel's command line: this JVM's {@code java}, the options {@code ./infllava} passes, and either
     * {@code -jar infllava.jar} or (when running from class directories, as in tests) {@code -cp ... Main}.
     */
    static List<String> argv(List<String> jvmOpts) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.add("-Djava.awt.headless=true");
        argv.add("-Dai.djl.offline=true");
        argv.addAll(jvmOpts);
        Path self = codeSource();
        if (self != null && Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
            argv.add("-jar");
            argv.add(self.toString());
        } else {
            argv.add("-cp");
            argv.add(String.join(java.io.File.pathSeparator, JavaKernel.processClassPath()));
            argv.add(Main.class.getName());
        }
        argv.add("kernel");
        argv.add("run");
        argv.add(KernelSpec.CONNECTION_FILE);
        return argv;
    }

    private static Path codeSource() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
