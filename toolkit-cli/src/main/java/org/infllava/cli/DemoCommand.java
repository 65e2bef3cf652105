package org.infllava.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code infllava demo}: the README's main job, the reproduction lab's main comparison with its embedded default
 * budget — HiResSynth, a stage-0 tower, then LLaVA-1.5 and INF-LLaVA (PAPER and REFERENCE presets) trained with one
 * budget and scored per task — under {@code runs/demo-<timestamp>/}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The reproduction lab on CPU: generate HiResSynth, pretrain a tiny tower, train llava-1.5, "
                + "inf-llava-paper and inf-llava-reference with one budget, print accuracy per task with 95 %% "
                + "intervals, and write results.csv, report.md and accuracy.png under runs/demo-<timestamp>/.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    LabCommand.Budget budget;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs",
            description = "Parent of the run directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return LabCommand.runLab(spec.commandLine().getOut(), budget.settings(), null, out, "demo");
    }
}
