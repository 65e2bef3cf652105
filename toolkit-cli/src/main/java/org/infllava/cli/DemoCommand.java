package org.infllava.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code infllava demo}: the README's main job, the reproduction lab's main comparison with its embedded default
 * budget — HiResSynth, a stage-0 tower, then the calibration rows (blind, LLaVA-1.5 as the floor, the 441-token
 * ceiling) and
 * INF-LLaVA (PAPER, REFERENCE, PAPER + residual) trained with one budget and scored per task with paired statistics —
 * under {@code runs/demo-<timestamp>/}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The reproduction lab on CPU: generate HiResSynth, pretrain a tiny tower, train llava-1.5, "
                + "inf-llava-paper, inf-llava-reference and inf-llava-paper-residual with one budget beside the "
                + "calibration rows blind (no image) and ceiling (every full-resolution token), print accuracy per "
                + "task with 95 %% intervals and paired statistics against llava-1.5, and write results.csv, "
                + "control.csv, report.md and accuracy.png under runs/demo-<timestamp>/.")
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
        return LabCommand.runLab(spec.commandLine().getOut(), budget.settings(), null, out, "demo", 1,
                budget.parallel, null);
    }
}
