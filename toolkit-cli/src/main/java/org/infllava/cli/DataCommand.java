package org.infllava.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.infllava.data.SynthCaptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava data}: dataset tools. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Dataset tools.",
        subcommands = {DataCommand.Synth.class, DataCommand.Hires.class})
final class DataCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code infllava data synth --out DIR}. */
    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write a small synthetic LLaVA-format dataset (train.jsonl, images/, tokenizer.json).")
    static final class Synth implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        Path out;

        @Option(names = "--samples", defaultValue = "64", description = "Samples (default: ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--size", defaultValue = "84", description = "Image side (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--grid", defaultValue = "3", description = "Cells per side (default: ${DEFAULT-VALUE}).")
        int grid;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            SynthCaptions.write(out, samples, size, grid, seed);
            spec.commandLine().getOut().printf("%d samples of %dx%d in %s (train.jsonl, images/, tokenizer.json)%n",
                    samples, size, size, out);
            return 0;
        }
    }

    /** {@code infllava data hires --out DIR}. */
    @Command(name = "hires", mixinStandardHelpOptions = true,
            description = "Write HiResSynth: high-resolution scenes with glyph, count, relation, exists (POPE-style) and "
                    + "colour questions; train/val/test LLaVA JSON, images/, scenes.jsonl.")
    static final class Hires implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        Path out;

        @Option(names = "--per-task", defaultValue = "100", description = "Samples per task (default: ${DEFAULT-VALUE}).")
        int perTask;

        @Option(names = "--size", defaultValue = "336", description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            org.infllava.data.synth.HiResSynth.write(out, perTask, size, seed);
            spec.commandLine().getOut().printf("%d samples (%d per task: %s) of %dx%d in %s%n",
                    perTask * org.infllava.data.synth.HiResSynth.TASKS.size(), perTask,
                    String.join(", ", org.infllava.data.synth.HiResSynth.TASKS), size, size, out);
            return 0;
        }
    }
}
