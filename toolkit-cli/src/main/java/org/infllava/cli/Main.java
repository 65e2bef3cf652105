package org.infllava.cli;

import java.io.PrintWriter;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code infllava}: the toolkit's command line. Exit codes: 0 success, 2 bad input or usage, 1 internal failure;
 * errors are one line on stderr that names the file or the option.
 */
@Command(name = "infllava", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "INF-LLaVA toolkit: dual-perspective cropping and enhancement for high-resolution MLLMs.",
        subcommands = {DemoCommand.class, ShowcaseCommand.class, CropCommand.class, TokensCommand.class, DemCommand.class, FeaturesCommand.class,
            LogitsCommand.class, ChatCommand.class, TrainCommand.class, DataCommand.class, LabCommand.class,
            BenchCommand.class, ScoreCommand.class, EvalCommand.class, KernelCommand.class, DeviceCheckCommand.class,
            VersionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad input or usage. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for an internal failure. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given streams and returns the exit code (for tests and embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        defaultProperty("ai.djl.offline", "true");
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // DJL probes for CUDA even with CPU natives and warns when no driver is present: not news on a CPU machine.
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        // The tokenizer warns that it falls back to its model's max length; sequences are bounded by our own maxLength.
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl.huggingface.tokenizers.HuggingFaceTokenizer", "error");
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable t = e;
            while (!(t instanceof InvalidInputException) && t.getCause() != null && t != t.getCause()) {
                t = t.getCause();
            }
            if (t instanceof InvalidInputException) {
                commandLine.getErr().println("infllava " + commandLine.getCommandName() + ": " + t.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (e instanceof org.infllava.train.TrainingDivergedException) {
                commandLine.getErr().println("infllava " + commandLine.getCommandName() + ": " + e.getMessage());
                return EXIT_FAILURE;
            }
            commandLine.getErr().println("infllava " + commandLine.getCommandName() + ": internal error: " + e);
            if (Boolean.getBoolean("infllava.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return EXIT_FAILURE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
