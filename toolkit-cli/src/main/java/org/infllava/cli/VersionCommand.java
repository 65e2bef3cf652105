package org.infllava.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code infllava version}: toolkit, Java and DJL versions. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the toolkit, Java and DJL versions.")
final class VersionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        for (String line : lines()) {
            spec.commandLine().getOut().println(line);
        }
    }

    static String toolkitVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT (classes)" : v;
    }

    static String[] lines() {
        String djl = ai.djl.engine.Engine.class.getPackage().getImplementationVersion();
        return new String[] {
            "infllava " + toolkitVersion(),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
            "djl " + (djl == null ? "0.36.0" : djl) + ", PyTorch natives 2.7.1 (CPU, bundled jar)",
            "os " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }

    /** picocli's {@code --version}. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return lines();
        }
    }
}
