package org.infllava.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.infllava.data.synth.HiResSynth;
import org.infllava.data.synth.Scene;
import org.infllava.io.InvalidInputException;
import org.infllava.lab.Ablation;
import org.infllava.lab.AblationTable;
import org.infllava.lab.Lab;
import org.infllava.lab.LabModel;
import org.infllava.lab.LabResults;
import org.infllava.lab.LabSettings;
import org.infllava.lab.LinearProbe;
import org.infllava.train.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code infllava lab}: the CPU reproduction lab on HiResSynth (see {@link Lab}).
 */
@Command(name = "lab", mixinStandardHelpOptions = true, description = "The CPU reproduction lab.",
        subcommands = {LabCommand.Run.class, LabCommand.Ablate.class, LabCommand.Probe.class})
final class LabCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The budget options every lab command shares. */
    static final class Budget {
        @Option(names = "--quick", description = "The quick budget (about 3 minutes) instead of the default.")
        boolean quick;

        @Option(names = "--seed", description = "Seed (default 1).")
        Long seed;

        @Option(names = "--steps", paramLabel = "N", description = "Training steps per model.")
        Integer steps;

        @Option(names = "--train-scenes", paramLabel = "N", description = "Training scenes.")
        Integer trainScenes;

        @Option(names = "--test-per-task", paramLabel = "N", description = "Test questions per task.")
        Integer testPerTask;

        @Option(names = "--val-per-task", paramLabel = "N", description = "Validation questions per task.")
        Integer valPerTask;

        @Option(names = "--score-on", paramLabel = "SPLIT",
                description = "Score on the held-out 'test' split (default) or on 'validation', where settings are chosen.")
        String scoreOn;

        @Option(names = "--tower-steps", paramLabel = "N", description = "Stage-0 steps.")
        Integer towerSteps;

        @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate of each model.")
        Double lr;

        @Option(names = "--llm-layers", paramLabel = "N", description = "Decoder layers of every row's tiny LLaMA "
                + "(default 2).")
        Integer llmLayers;

        @Option(names = "--batch", paramLabel = "B", description = "Conversations per step.")
        Integer batch;

        @Option(names = "--tasks", split = ",", paramLabel = "TASK",
                description = "Tasks (default glyph,checkered,checkered-colour,relation,colour; also count, exists).")
        List<String> tasks;

        @Option(names = "--questions-per-task", paramLabel = "K",
                description = "Questions of each task per training scene (multi-turn).")
        Integer questionsPerTask;

        @Option(names = "--single-turn", description = "One question per training scene instead of one per task.")
        boolean singleTurn;

        @Option(names = "--image-after", description = "Put the image after the question instead of before it.")
        boolean imageAfter;

        @Option(names = "--no-control", description = "Skip asking every test question with another scene's image.")
        boolean noControl;

        @Option(names = "--parallel", paramLabel = "N",
                description = "Rows trained side by side, one intra-op thread each (default: one per processor).")
        Integer parallel;

        LabSettings settings() {
            LabSettings base = quick ? LabSettings.quick() : LabSettings.defaults();
            LabSettings.Builder b = base.toBuilder();
            if (seed != null) {
                b.optSeed(seed);
            }
            if (steps != null) {
                b.optSteps(steps);
            }
            if (trainScenes != null) {
                b.optTrainScenes(trainScenes);
            }
            if (testPerTask != null) {
                b.optTestPerTask(testPerTask);
            }
            if (valPerTask != null) {
                b.optValPerTask(valPerTask);
            }
            if (scoreOn != null) {
                b.optScoreOn(scoreOn);
            }
            if (towerSteps != null) {
                b.optTowerSteps(towerSteps);
            }
            if (lr != null) {
                b.optLr(lr);
            }
            if (batch != null) {
                b.optBatchSize(batch);
            }
            if (llmLayers != null) {
                if (llmLayers < 1) {
                    throw new InvalidInputException("--llm-layers must be >= 1, got " + llmLayers);
                }
                b.optLlm(base.llm().withLayers(llmLayers));
            }
            if (tasks != null) {
                b.optTasks(tasks);
            }
            if (questionsPerTask != null) {
                b.optQuestionsPerTask(questionsPerTask);
            }
            try {
                return b.optMultiTurn(!singleTurn).optImageFirst(!imageAfter).optControl(!noControl).build();
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage());
            }
        }
    }

    /** The models of the main comparison by name: the compared models and the calibration rows. */
    static final Map<String, LabModel> MAIN = Map.of(Lab.BLIND, LabModel.blind(), "llava-1.5", LabModel.llava15(),
            "inf-llava-paper", LabModel.paper(), "inf-llava-reference", LabModel.reference(),
            "inf-llava-paper-residual", LabModel.paperResidual(), LabResults.CEILING, LabModel.ceiling());

    /**
     * The demo's rows in order: language prior, floor, the compared models, the named variant, the ceiling (441
     * visual tokens per image; affordable since the frozen tower's features are cached and the last layer skips the
     * visual prefix).
     */
    static final List<String> DEFAULT_MODELS = List.of(Lab.BLIND, "llava-1.5", "inf-llava-paper",
            "inf-llava-reference", "inf-llava-paper-residual", LabResults.CEILING);

    /** {@code infllava lab run [--quick]}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Generate HiResSynth, pretrain a tiny tower (stage 0), train the calibration rows (blind, "
                    + "llava-1.5, ceiling) and inf-llava-paper, inf-llava-reference, inf-llava-paper-residual with "
                    + "one budget, and score them per task with paired statistics against llava-1.5 (results.csv, "
                    + "control.csv, report.md, accuracy.png); --seeds N adds pooled results.")
    static final class Run implements Callable<Integer> {

        @Mixin
        Budget budget;

        @Option(names = "--out", defaultValue = "runs", paramLabel = "DIR", description = "Parent of the run directory.")
        Path out;

        @Option(names = "--models", split = ",", paramLabel = "NAME",
                description = "Models (default blind,llava-1.5,inf-llava-paper,inf-llava-reference,"
                        + "inf-llava-paper-residual,ceiling); also any visual front-end: llava-next-anyres, "
                        + "internvl-dynamic, s2, monkey, inf-dcm, inf-dcm-auto.")
        List<String> models;

        @Option(names = "--reuse", paramLabel = "RUN",
                description = "Reuse the data and stage-0 tower of an earlier run with the same seed and data and "
                        + "tower settings (linked): for experiments on the rows' recipe.")
        Path reuse;

        @Option(names = "--seeds", paramLabel = "N",
                description = "Run every row for seeds S..S+N-1 (S: --seed, default 1), each seed with its own data "
                        + "and tower, and write per-seed and pooled results.")
        Integer seeds;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (seeds != null && seeds < 1) {
                throw new InvalidInputException("--seeds must be >= 1, got " + seeds);
            }
            if (reuse != null && seeds != null && seeds > 1) {
                throw new InvalidInputException("--reuse takes one earlier run: use it with one seed");
            }
            return runLab(spec.commandLine().getOut(), budget.settings(), models, out, "lab",
                    seeds == null ? 1 : seeds, budget.parallel, reuse);
        }
    }

    /** Runs the main comparison and prints and writes its results; shared with {@code demo}. */
    static int runLab(PrintWriter o, LabSettings settings, List<String> names, Path out, String prefix) {
        return runLab(o, settings, names, out, prefix, 1, null, null);
    }

    /**
     * Runs the main comparison for {@code seeds} seeds from the settings' seed; one seed writes its results into the
     * run directory, several write each seed's under {@code seed-<S>/} and the pooled results at the top.
     */
    static int runLab(PrintWriter o, LabSettings settings, List<String> names, Path out, String prefix, int seeds,
            Integer parallel, Path reuse) {
        List<LabModel> chosen = new ArrayList<>();
        for (String n : names == null ? DEFAULT_MODELS : names) {
            LabModel m = MAIN.get(n);
            if (m == null && org.infllava.frontend.VisualFrontEnds.names().contains(n)) {
                m = LabModel.frontEnd(n);
            }
            if (m == null) {
                throw new InvalidInputException("unknown lab model '" + n + "'; models: "
                        + String.join(", ", MAIN.keySet().stream().sorted().toList()) + ", or a front-end: "
                        + String.join(", ", org.infllava.frontend.VisualFrontEnds.names()));
            }
            chosen.add(m);
        }
        if (parallel != null && parallel < 1) {
            throw new InvalidInputException("--parallel must be >= 1, got " + parallel);
        }
        Path run = Outputs.newRunDirectory(out, prefix);
        o.printf("%s: %s%nresults in %s%n", prefix, settings.describe(), run);
        List<LabResults> perSeed = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < seeds; i++) {
            LabSettings s = settings.toBuilder().optSeed(settings.seed() + i).build();
            Path dir = seeds == 1 ? run : run.resolve("seed-" + s.seed());
            if (seeds > 1) {
                o.printf("seed %d%n", s.seed());
            }
            LabResults r = Lab.builder().optSettings(s).optModels(chosen).optOutput(o)
                    .optParallelRows(parallel == null ? 0 : parallel).optReuse(reuse).build().run(dir);
            r.writeTo(dir);
            o.println(r.summary().print());
            o.print(r.paired());
            perSeed.add(r);
        }
        if (seeds > 1) {
            LabResults pooled = LabResults.pool(perSeed);
            pooled.writeTo(run);
            o.printf("%npooled over %d seeds:%n", seeds);
            o.println(pooled.summary().print());
            o.print(pooled.paired());
        }
        o.printf("%s done in %.0f s: %s%n", prefix, (System.nanoTime() - t0) / 1e9, run);
        o.flush();
        return 0;
    }

    /** {@code infllava lab ablate --table resolution|dem-variant|fusion|module|front-end [--seeds N]}. */
    @Command(name = "ablate", mixinStandardHelpOptions = true,
            description = "One of the paper's ablation tables on HiResSynth (Tab. 3 resolution, Tab. 4 dem-variant, "
                    + "Tab. 5 fusion, Tab. 6 module; front-end: the field's visual front-ends with their visual "
                    + "tokens and encoder passes), every row trained for each seed; mean ± sd printed and written "
                    + "with a chart.")
    static final class Ablate implements Callable<Integer> {

        @Mixin
        Budget budget;

        @Option(names = "--table", required = true, paramLabel = "TABLE",
                description = "resolution | dem-variant | fusion | module | front-end")
        String table;

        @Option(names = "--seeds", defaultValue = "3", paramLabel = "N",
                description = "Seeds 1..N (default: ${DEFAULT-VALUE}).")
        int seeds;

        @Option(names = "--out", defaultValue = "runs", paramLabel = "DIR", description = "Parent of the run directory.")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            AblationTable t;
            try {
                t = AblationTable.parse(table);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage());
            }
            if (seeds < 1) {
                throw new InvalidInputException("--seeds must be >= 1, got " + seeds);
            }
            PrintWriter o = spec.commandLine().getOut();
            LabSettings settings = budget.settings();
            List<Long> s = new ArrayList<>();
            for (long i = 0; i < seeds; i++) {
                s.add(settings.seed() + i);
            }
            Path run = Outputs.newRunDirectory(out, "ablate-" + t.cliName());
            o.printf("ablate %s: %d rows x %d seeds; results in %s%n", t.cliName(), t.models().size(), seeds, run);
            Ablation a = Ablation.of(t, settings, s, o);
            List<Ablation.Point> points = a.run(run);
            a.write(run, points);
            tech.tablesaw.api.Table summary = Ablation.summary(points, settings.tasks());
            o.println((t == AblationTable.FRONT_END
                    ? Ablation.printableWithCosts(summary, settings.tasks(), t, settings)
                    : Ablation.printable(summary, settings.tasks())).print());
            o.printf("wrote %s%n", run.resolve("ablation-" + t.cliName() + ".md"));
            o.flush();
            return 0;
        }
    }

    /** {@code infllava lab probe [--from RUN]}. */
    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Linear probes (Tribuo logistic regression and linear SGD) on frozen visual features of each "
                    + "variant (low-res, dcm-local, dcm-global, paper, reference) predicting glyph, colour, shape and "
                    + "count; held-out accuracy and macro-F1.")
    static final class Probe implements Callable<Integer> {

        /** Tribuo logs every SGD epoch and warns about classes a probe never predicts; the table says what matters. */
        private static final java.util.logging.Logger TRIBUO = java.util.logging.Logger.getLogger("org.tribuo");

        @Mixin
        Budget budget;

        @Option(names = "--from", paramLabel = "RUN",
                description = "A lab or demo run directory: probe its stage-0 tower and its trained PAPER and REFERENCE "
                        + "DEMs (else a new tower is trained and the DEMs are probed as initialised).")
        Path from;

        @Option(names = "--scenes", defaultValue = "300", paramLabel = "N",
                description = "Scenes to fit the probes on; a fifth as many score them (default: ${DEFAULT-VALUE}).")
        int scenes;

        @Option(names = "--out", defaultValue = "runs", paramLabel = "DIR", description = "Parent of the run directory.")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            TRIBUO.setLevel(java.util.logging.Level.SEVERE);
            PrintWriter o = spec.commandLine().getOut();
            LabSettings settings = budget.settings();
            Path run = Outputs.newRunDirectory(out, "probe");
            Lab lab = Lab.builder().optSettings(settings).optOutput(o).build();
            Path vision;
            Map<String, Path> trained = new LinkedHashMap<>();
            if (from != null) {
                vision = from.resolve("stage0").resolve("vision");
                if (!Files.isDirectory(vision)) {
                    throw new InvalidInputException(from, "not a lab run directory: no stage0/vision inside");
                }
                for (String[] v : new String[][] {{"paper", "inf-llava-paper"}, {"reference", "inf-llava-reference"}}) {
                    Path ckpt = lastCheckpoint(from.resolve(v[1]));
                    if (ckpt != null) {
                        trained.put(v[0], ckpt.resolve("trainable.safetensors"));
                    }
                }
            } else {
                Path data = lab.writeData(run.resolve("data"));
                vision = run.resolve("stage0").resolve("vision");
                lab.pretrainTower(data, vision, ProgressBar.of(o, settings.towerSteps()));
            }
            java.util.Random r = new java.util.Random(settings.seed() + 1000);
            List<Scene> train = new ArrayList<>();
            List<Scene> test = new ArrayList<>();
            for (int i = 0; i < scenes + scenes / 5; i++) {
                (i < scenes ? train : test).add(HiResSynth.scene(r));
            }
            o.printf("probe: %d scenes to fit, %d to score; DEMs %s%n", train.size(), test.size(), trained.isEmpty()
                    ? "as initialised" : "trained, from " + trained.values());
            LinearProbe probe = LinearProbe.builder().setLab(lab).setVisionDir(vision).optTrainedWeights(trained)
                    .build();
            int variants = LinearProbe.standardVariants().size();
            ProgressBar bar = ProgressBar.of(o, (long) variants * (train.size() + test.size()));
            List<LinearProbe.Result> results;
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                results = probe.run(train, test, m, n -> bar.advance(1, "encoding scene " + n));
            }
            bar.finish("probes fitted");
            tech.tablesaw.api.Table t = LinearProbe.table(results);
            t.write().csv(run.resolve("probe.csv").toFile());
            o.println(t.print(results.size()));
            o.printf("wrote %s%n", run.resolve("probe.csv"));
            o.flush();
            return 0;
        }

        private static Path lastCheckpoint(Path modelDir) throws IOException {
            Path c = modelDir.resolve("checkpoints");
            if (!Files.isDirectory(c)) {
                return null;
            }
            try (java.util.stream.Stream<Path> s = Files.list(c)) {
                return s.filter(p -> p.getFileName().toString().startsWith("step-")).max(Path::compareTo).orElse(null);
            }
        }
    }
}
