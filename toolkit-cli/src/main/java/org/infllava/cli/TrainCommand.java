package org.infllava.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.infllava.io.InvalidInputException;
import org.infllava.train.RunConfig;
import org.infllava.train.TrainRun;
import org.infllava.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava train --config run.json}: one training stage, with checkpoints and exact resume. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train INF-LLaVA from a JSON config (docs/training.md): examples/tiny-cpu.json trains tiny "
                + "random models on synthetic data on a CPU in about a minute; examples/real-recipe.json is the "
                + "published recipe on a GPU."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "run.json", description = "The run configuration.")
    Path config;

    @Option(names = "--stage", paramLabel = "0|1|2", description = "Override the config's stage.")
    Integer stage;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue a run (run directory or checkpoint).")
    Path resume;

    @Option(names = "--strict", description = "Stop at the first malformed data row (overrides data.strict).")
    boolean strict;

    @Option(names = "--device", paramLabel = "cpu|gpu|gpu:N|auto[,...]", description = "Override the config's "
            + "device; several (gpu:0,gpu:1) train data-parallel with the global batch split across them.")
    String device;

    @Option(names = "--runs", defaultValue = "runs", paramLabel = "DIR", description = "Parent of run directories "
            + "(default: ${DEFAULT-VALUE}).")
    Path runs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RunConfig c = RunConfig.load(config);
        if (stage != null || strict || device != null) {
            if (stage != null && (stage < 0 || stage > 2)) {
                throw new InvalidInputException("--stage must be 0, 1 or 2, got " + stage);
            }
            // Overrides change defaults (the stage sets lr and template): reparse the config with them set.
            com.google.gson.JsonObject j = c.json().deepCopy();
            if (stage != null) {
                j.addProperty("stage", stage);
            }
            if (device != null) {
                j.addProperty("device", device);
            }
            if (strict) {
                if (!j.has("data")) {
                    j.add("data", new com.google.gson.JsonObject());
                }
                j.getAsJsonObject("data").addProperty("strict", true);
            }
            c = RunConfig.load(writeTemp(j));
        }
        PrintWriter out = spec.commandLine().getOut();
        ai.djl.Device first = TrainRun.device(c.device()); // a missing GPU fails here, before a run directory exists
        Path runDir = resume != null ? runDirOf(resume)
                : Outputs.newRunDirectory(runs, c.name());
        out.printf("run %s: stage %d, %d steps, device %s -> %s%n", c.name(), c.stage(), c.train().steps(),
                c.device(), runDir);
        try (NDManager m = NDManager.newBaseManager(first, "PyTorch")) {
            Trainer t = TrainRun.prepare(c, runDir, m, out);
            if (resume != null) {
                t.resume(resume);
                out.printf("resumed at step %d from %s%n", t.step(), resume);
            }
            long trainable = t.trainable().values().stream().mapToLong(p -> p.getShape().size()).sum();
            out.printf("trainable: %s (%,d parameters)%n", c.train().freeze().trainable(), trainable);
            t.run(c.train().steps());
            if (c.stage() == 0) {
                Path tower = runDir.resolve("vision");
                t.model().vision().save(tower);
                out.printf("stage 0: vision tower saved to %s (use it as model.vision.dir; later stages keep it frozen)%n",
                        tower);
            }
            if (c.lora() != null) {
                out.printf("LoRA adapter (PEFT layout: adapter_config.json, adapter_model.safetensors) in each "
                        + "checkpoint under %s; use it with --adapter%n", runDir.resolve("checkpoints"));
            }
            List<Trainer.StepLog> h = t.history();
            if (!h.isEmpty()) {
                out.printf("done: loss %.4f -> %.4f over %d steps; metrics.jsonl, provenance.json and checkpoints in %s%n",
                        h.get(0).loss(), h.get(h.size() - 1).loss(), h.size(), runDir);
            }
        }
        return 0;
    }

    private static Path runDirOf(Path resume) {
        Path abs = resume.toAbsolutePath();
        if (abs.getFileName().toString().startsWith("step-")) {
            return abs.getParent().getParent();
        }
        return abs;
    }

    /** The overridden config, beside the original so its relative paths still resolve. */
    private Path writeTemp(com.google.gson.JsonObject j) {
        try {
            Path tmp = config.toAbsolutePath().resolveSibling("." + config.getFileName() + ".overrides.json");
            java.nio.file.Files.writeString(tmp, j.toString());
            tmp.toFile().deleteOnExit();
            return tmp;
        } catch (java.io.IOException e) {
            throw new InvalidInputException(config, "cannot apply the overrides: " + e.getMessage());
        }
    }
}
