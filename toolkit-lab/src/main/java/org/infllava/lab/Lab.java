package org.infllava.lab;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.infllava.data.LlavaDataset;
import org.infllava.data.SampleEncoder;
import org.infllava.data.SynthCaptions;
import org.infllava.data.synth.HiResSynth;
import org.infllava.data.synth.Scene;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.eval.Accuracy;
import org.infllava.frontend.PixelShuffleAssembler;
import org.infllava.frontend.VisualFrontEnd;
import org.infllava.frontend.VisualFrontEnds;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import org.infllava.model.ClipVisionEncoder;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.IntraOpThreads;
import org.infllava.model.LlamaConfig;
import org.infllava.model.LlamaDecoder;
import org.infllava.model.MlpProjector;
import org.infllava.train.FreezePolicy;
import org.infllava.train.ProgressBar;
import org.infllava.train.TrainSettings;
import org.infllava.train.Trainer;

/**
 * The CPU reproduction lab: HiResSynth data, a tiny tower pretrained at sub-image resolution and frozen (stage 0),
 * then each {@link LabModel} — a fresh tiny LLaMA, the projector and the model's DEM — trained on the same data with
 * the same budget and scored per task on the test split, with a control that asks every test question again with
 * another scene's image (equal accuracy would mean the model answers from the question alone).
 *
 * <p>Run directory: {@code data/} (images, splits, {@code tokenizer.json}), {@code stage0/vision/} (the tower as a
 * CLIPVisionModel directory), one folder per model (metrics, provenance, checkpoint, and {@code model/}: the trained
 * model as a directory that {@link InfLlavaModel#fromPretrained} and {@code infllava eval} load), and what
 * {@link LabResults#writeTo} writes.
 */
public final class Lab {

    /** Name of the blind calibration row ({@link LabModel#blind()}). */
    public static final String BLIND = "blind";

    /** The DCM grid of the ceiling row's local sub-images (the lab's 84-px scene: 3 × 28 px). */
    static final int CEILING_GRID = 3;

    private final LabSettings settings;
    private final List<LabModel> models;
    private final PrintWriter out;

    private final int parallelRows;
    private final Path reuse;

    private Lab(Builder b) {
        this.reuse = b.reuse;
        this.settings = b.settings;
        this.models = List.copyOf(b.models);
        this.out = b.out;
        this.parallelRows = b.parallelRows > 0 ? Math.min(b.parallelRows, models.size())
                : Math.max(1, Math.min(models.size(), Runtime.getRuntime().availableProcessors()));
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The settings. */
    public LabSettings settings() {
        return settings;
    }

    /** The models in run order. */
    public List<LabModel> models() {
        return models;
    }

    /** Writes the data, pretrains the tower, trains and scores every model. */
    public LabResults run(Path runDir) {
        long t0 = System.nanoTime();
        ProgressBar bar = ProgressBar.of(out, workUnits(models.size()) - (reuse == null ? 0 : settings.towerSteps()));
        Path data;
        double[] stage0;
        Map<TowerPretraining.View, Double> towerAccuracy;
        java.util.concurrent.CompletableFuture<LabResults.ModelResult> early = null;
        LabModel blind = null;
        if (reuse == null) {
            data = writeData(runDir.resolve("data"));
            bar.advance(0, "data written");
            blind = blindDuringStage0();
            if (blind != null) {
                early = startBlindDuringStage0(blind, runDir, bar);
            }
            TowerPretraining.Result tower = pretrainTower(data, runDir.resolve("stage0").resolve("vision"), bar);
            stage0 = new double[] {tower.firstLoss(), tower.lastLoss()};
            towerAccuracy = tower.objectAccuracy();
            writeStage0(runDir.resolve("stage0").resolve(STAGE0_JSON), tower);
        } else {
            data = linkFrom(reuse, runDir, "data");
            linkFrom(reuse, runDir, "stage0");
            JsonObject j = readObject(runDir.resolve("stage0").resolve(STAGE0_JSON));
            stage0 = new double[] {j.get("first_loss").getAsDouble(), j.get("last_loss").getAsDouble()};
            towerAccuracy = new java.util.EnumMap<>(TowerPretraining.View.class);
            for (TowerPretraining.View v : TowerPretraining.View.values()) {
                towerAccuracy.put(v, j.getAsJsonObject("object_accuracy").get(v.name()).getAsDouble());
            }
            out.printf("data and stage-0 tower reused from %s%n", reuse);
        }
        List<LabModel> rest = new ArrayList<>(models);
        rest.remove(blind);
        List<LabResults.ModelResult> trained = trainRows(rest, data, runDir, bar);
        List<LabResults.ModelResult> results = new ArrayList<>();
        for (LabModel m : models) { // in the models' order
            results.add(m == blind ? join(early, m) : trained.get(rest.indexOf(m)));
        }
        bar.finish("lab done");
        return new LabResults(settings, results, stage0[0], stage0[1], towerAccuracy,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The blind row, when it can train while stage 0 runs: it reads no image ({@link BlindAssembler} drops every
     * feature), so it needs no trained tower, and stage 0 runs on one intra-op thread, leaving the other processor
     * free. Only with rows side by side in child JVMs ({@code parallelRows > 1}); otherwise {@code null}.
     */
    private LabModel blindDuringStage0() {
        if (parallelRows <= 1 || !LabRow.launchable()) {
            return null;
        }
        return models.stream().filter(m -> BLIND.equals(m.frontEnd()) && LabRow.byName(m)).findFirst().orElse(null);
    }

    /**
     * Starts the blind row in a child JVM beside stage 0, on a stand-in tower of the settings' shape (seeded,
     * untrained, saved under {@code blind/stand-in-tower}): its features are computed and dropped, so the row trains
     * and scores exactly as on the stage-0 tower.
     */
    private java.util.concurrent.CompletableFuture<LabResults.ModelResult> startBlindDuringStage0(LabModel blind,
            Path runDir, ProgressBar bar) {
        LabRow.writeSettings(settings, runDir);
        Path dir = runDir.resolve(blind.name());
        Path standIn = dir.resolve("stand-in-tower");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ClipVisionEncoder tower = new ClipVisionEncoder(settings.tower());
            tower.initialize(m, settings.seed());
            tower.save(standIn);
        }
        long perModel = workUnits(1) - settings.towerSteps();
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                LabResults.ModelResult r = trainInChild(blind, runDir, dir, standIn);
                bar.advance(perModel, blind.name() + " done");
                report(r);
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training lab row " + blind.name(), e);
            }
        });
    }

    private static LabResults.ModelResult join(java.util.concurrent.CompletableFuture<LabResults.ModelResult> f,
            LabModel m) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("lab row " + m.name() + " failed: " + e.getCause(), e.getCause());
        }
    }

    private void report(LabResults.ModelResult r) {
        synchronized (out) {
            out.printf("%s: loss %.3f -> %.3f; overall %.2f with its image%s (%.0f s)%n", r.model(), r.firstLoss(),
                    r.lastLoss(), r.overall().accuracy(), r.control() == null ? ""
                    : String.format(", %.2f with another scene's", r.control().accuracy()), r.seconds());
            out.flush();
        }
    }

    /** What stage 0 reports, beside the tower: {@code stage0/stage0.json}. */
    static final String STAGE0_JSON = "stage0.json";

    private static void writeStage0(Path file, TowerPretraining.Result r) {
        JsonObject j = new JsonObject();
        j.addProperty("first_loss", r.firstLoss());
        j.addProperty("last_loss", r.lastLoss());
        JsonObject a = new JsonObject();
        r.objectAccuracy().forEach((v, x) -> a.addProperty(v.name(), x));
        j.add("object_accuracy", a);
        JsonObject c = new JsonObject();
        r.checkeredAccuracy().forEach((v, x) -> c.addProperty(v.name(), x));
        j.add("checkered_accuracy", c);
        try {
            Files.writeString(file, j.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot write: " + e.getMessage(), e);
        }
    }

    /** {@code run/name} as a link to {@code from/name} (which must exist); returns the link. */
    private static Path linkFrom(Path from, Path run, String name) {
        Path target = from.resolve(name).toAbsolutePath();
        if (!Files.isDirectory(target)) {
            throw new InvalidInputException(from, "cannot reuse it: no " + name + "/ inside (not a lab run directory)");
        }
        try {
            Files.createDirectories(run);
            return Files.createSymbolicLink(run.resolve(name), target);
        } catch (IOException e) {
            throw new InvalidInputException(run, "cannot link " + name + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject readObject(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file, "cannot read stage 0's report: " + e.getMessage(), e);
        }
    }

    /**
     * Trains and scores every row; independent rows run side by side, {@code parallelRows} at a time, the costliest
     * (most visual tokens) first. DJL's PyTorch engine allows one gradient collector per process, so each row the
     * lab can rebuild by name ({@link LabRow}) trains in a child JVM with one intra-op thread; any other row trains in
     * this process, one at a time. When the toolkit was not loaded from the JVM's class path (a notebook kernel's
     * {@code %maven}: a child JVM could not find it), every row trains in this process, one at a time. Results come
     * back in the models' order. Every row is seeded from the settings
     * alone, so where it runs changes what it learns only through floating-point reduction order.
     */
    private List<LabResults.ModelResult> trainRows(List<LabModel> models, Path data, Path runDir, ProgressBar bar) {
        Path vision = runDir.resolve("stage0").resolve("vision");
        if (models.isEmpty()) {
            return List.of();
        }
        if (parallelRows <= 1 || !LabRow.launchable()) {
            List<LabResults.ModelResult> results = new ArrayList<>();
            for (LabModel m : models) {
                results.add(trainAndScore(m, data, vision, runDir.resolve(m.name()), bar));
            }
            return results;
        }
        LabRow.writeSettings(settings, runDir);
        long perModel = workUnits(1) - settings.towerSteps();
        List<LabModel> order = new ArrayList<>(models);
        order.sort(java.util.Comparator.comparingLong((LabModel m) -> -cost(m, settings).visualTokens()));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parallelRows,
                r -> {
                    Thread t = new Thread(r, "lab-row");
                    t.setDaemon(true);
                    return t;
                });
        Object inProcess = new Object();
        try {
            Map<String, java.util.concurrent.Future<LabResults.ModelResult>> futures = new java.util.HashMap<>();
            for (LabModel m : order) {
                Path dir = runDir.resolve(m.name());
                futures.put(m.name(), pool.submit(() -> {
                    if (!LabRow.byName(m)) {
                        synchronized (inProcess) {
                            try (IntraOpThreads one = IntraOpThreads.exactly(1)) {
                                return trainAndScore(m, data, vision, dir, bar);
                            }
                        }
                    }
                    LabResults.ModelResult r = trainInChild(m, runDir, dir, vision);
                    bar.advance(perModel, m.name() + " done");
                    report(r);
                    return r;
                }));
            }
            List<LabResults.ModelResult> results = new ArrayList<>();
            for (LabModel m : models) {
                try {
                    results.add(futures.get(m.name()).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException("lab row " + m.name() + " failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while training lab row " + m.name(), e);
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static LabResults.ModelResult trainInChild(LabModel m, Path runDir, Path dir, Path vision)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve("row.log");
        ProcessBuilder pb = new ProcessBuilder(LabRow.command(runDir, m.name(), vision)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        org.infllava.model.GlibcMalloc.applyTo(pb.environment()); // large tensors reused, not re-faulted each step
        Process p = pb.start();
        // a stopped lab (Ctrl-C, SIGTERM) takes its rows with it
        Thread reaper = new Thread(p::destroyForcibly, "lab-row-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            int code = p.waitFor();
            if (code != 0) {
                List<String> lines = Files.readAllLines(log);
                throw new IllegalStateException("lab row " + m.name() + " failed (exit " + code + "); last lines of "
                        + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15),
                        lines.size())));
            }
        } finally {
            p.destroyForcibly();
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already stopping; the hook runs
            }
        }
        return LabRow.readResult(dir);
    }

    /** Units of a progress bar covering stage 0 and {@code models} models (steps plus test questions). */
    public long workUnits(int models) {
        long perModel = settings.steps() + (long) settings.scorePerTask() * settings.tasks().size()
                * (settings.control() ? 2 : 1);
        return settings.towerSteps() + models * perModel;
    }

    /** Writes HiResSynth and its word-level {@code tokenizer.json} under {@code dir}; returns {@code dir}. */
    public Path writeData(Path dir) {
        HiResSynth.builder().optSplits(settings.trainScenes(), settings.valPerTask(), settings.testPerTask()).optSize(settings.sceneSize())
                .optSeed(settings.seed()).optTasks(settings.tasks()).optMultiTurnTrain(settings.multiTurn())
                .optQuestionsPerTask(settings.questionsPerTask()).optImageFirst(settings.imageFirst()).build()
                .write(dir);
        try {
            Files.writeString(dir.resolve("tokenizer.json"), SynthCaptions.wordLevelTokenizer(vocabulary(dir)),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Stage 0 on the training scenes of {@code data}; the tower is saved to {@code visionDir}. */
    public TowerPretraining.Result pretrainTower(Path data, Path visionDir, ProgressBar bar) {
        List<Scene> scenes = new ArrayList<>();
        Gson gson = new Gson();
        for (JsonElement e : readArray(data.resolve("train.json"))) {
            scenes.add(gson.fromJson(e.getAsJsonObject().get("scene"), Scene.class));
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) { // stage 0 runs on one intra-op thread
            TowerPretraining.Result r = TowerPretraining.builder().setEncoderConfig(settings.tower()).setScenes(scenes)
                    .optSceneSize(settings.sceneSize()).optGrid(settings.grid()).optSteps(settings.towerSteps())
                    .optSeed(settings.seed()).build()
                    .run(m, s -> bar.advance(1, String.format("stage 0: tower step %d/%d", s, settings.towerSteps())));
            r.encoder().save(visionDir);
            out.printf("stage 0: tower cell loss %.3f -> %.3f (%d classes per patch); held-out accuracy on object "
                    + "patches: low-res view %.2f, local sub-images %.2f, global sub-images %.2f%n", r.firstLoss(),
                    r.lastLoss(), TowerPretraining.classes(), r.objectAccuracy().get(TowerPretraining.View.LOW_RES),
                    r.objectAccuracy().get(TowerPretraining.View.LOCAL),
                    r.objectAccuracy().get(TowerPretraining.View.GLOBAL));
            out.printf("stage 0: checkered-shape patches read as checkered: low-res view %.2f, local sub-images %.2f, "
                    + "global sub-images %.2f%n", r.checkeredAccuracy().get(TowerPretraining.View.LOW_RES),
                    r.checkeredAccuracy().get(TowerPretraining.View.LOCAL),
                    r.checkeredAccuracy().get(TowerPretraining.View.GLOBAL));
            return r;
        }
    }

    /**
     * Trains {@code model} (tower frozen; DEM, projector and a fresh LLM trained) and scores it on the test split.
     *
     * @param dir where its metrics, provenance and checkpoint go
     */
    public LabResults.ModelResult trainAndScore(LabModel model, Path data, Path visionDir, Path dir, ProgressBar bar) {
        long t0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                TextTokenizer tok = TextTokenizer.load(data.resolve("tokenizer.json"))) {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) settings.seed());
            InfLlavaModel built = build(model, visionDir, tok.vocabSize(), m);
            LlavaDataset train = LlavaDataset.load(data.resolve("train.json"), data, true);
            int tokens = (int) cost(built.frontEnd(), settings).visualTokens();
            SampleEncoder enc = new SampleEncoder(ChatTemplate.PLAIN, tok, tokens, sequenceLength(tokens));
            TrainSettings ts = new TrainSettings(settings.seed(), settings.steps(), settings.batchSize(), 1,
                    settings.lr(), 0.05, 0.1, 0.0, 1.0, new FreezePolicy(Set.of("dem", "projector", "llm"), List.of()),
                    true, 0, 1, Integer.MAX_VALUE);
            // the tower is frozen: each training scene is decoded and encoded once, not at every step (the DEM, the
            // projector and the LLM still train on the cached features)
            built.enableFeatureCache(m);
            Trainer t = new Trainer(built, ts, train, enc, m, dir, provenance(model), new PrintWriter(
                    Writer.nullWriter()));
            t.enableImageCache();
            t.setStepListener(s -> bar.advance(1, String.format("%s: step %d/%d, loss %.3f", model.name(), s.step(),
                    settings.steps(), s.loss())));
            t.run(settings.steps());
            if (!isCalibration(model)) {
                // the calibration rows' front-ends are the lab's own (not registered), so no model directory
                built.save(dir.resolve("model"), data.resolve("tokenizer.json"), ChatTemplate.PLAIN.name());
            }
            List<Trainer.StepLog> h = t.history();
            double first = h.get(0).loss();
            double last = h.subList(Math.max(0, h.size() - Math.max(1, h.size() / 10)), h.size()).stream()
                    .mapToDouble(Trainer.StepLog::loss).average().orElse(Double.NaN);
            Scores s = score(model.name(), built, tok, data, m, bar);
            LabResults.ModelResult r = new LabResults.ModelResult(model.name(), s.byTask(), s.overall(), s.control(),
                    first, last, (System.nanoTime() - t0) / 1e9, s.answers());
            out.printf("%s: loss %.3f -> %.3f; overall %.2f with its image%s (%.0f s)%n", model.name(), first, last,
                    s.overall().accuracy(), s.control() == null ? "" : String.format(", %.2f with another scene's",
                            s.control().accuracy()), r.seconds());
            return r;
        }
    }

    /** Whether {@code m} is the blind or the ceiling row, whose front-ends only the lab builds. */
    static boolean isCalibration(LabModel m) {
        return BLIND.equals(m.frontEnd()) || LabResults.CEILING.equals(m.frontEnd());
    }

    /** The longest training sequence for {@code visualTokens} visual tokens: the image and every question turn. */
    int sequenceLength(int visualTokens) {
        return 64 + visualTokens + 16 * settings.tasks().size() * settings.questionsPerTask();
    }

    /** A lab model assembled around the stage-0 tower (frozen), with a fresh projector, DEM and LLM. */
    public InfLlavaModel build(LabModel model, Path visionDir, int vocabSize, NDManager m) {
        ClipVisionEncoder vision = ClipVisionEncoder.fromPretrained(visionDir, m);
        LlamaConfig c = settings.llm();
        // a row with more visual tokens than the LLM's positions allow (the ceiling: 441) gets the positions it needs;
        // RoPE has no learned position table, so the other rows are unchanged
        int positions = Math.max(c.maxPositions(), sequenceLength((int) cost(model, settings).visualTokens()));
        LlamaDecoder llm = new LlamaDecoder(new LlamaConfig(vocabSize, c.hiddenSize(), c.intermediateSize(), c.layers(),
                c.heads(), c.kvHeads(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(), positions,
                c.tieWordEmbeddings(), c.family(), c.slidingWindow())); // any family: llama, mistral, qwen2
        llm.initialize(m, settings.seed() + 1);
        int dv = vision.config().hiddenSize();
        if (model.frontEnd() != null) {
            VisualFrontEnd fe = frontEnd(model.frontEnd(), vision.config().imageSize(), vision.config().gridSize(), dv,
                    c.hiddenSize());
            MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, fe.assembler().outputChannels(dv),
                    c.hiddenSize());
            projector.initialize(m, settings.seed() + 2);
            fe.assembler().initialize(m, settings.seed() + 3);
            return InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector)
                    .optFrontEnd(fe).build();
        }
        MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, dv, c.hiddenSize());
        projector.initialize(m, settings.seed() + 2);
        DualPerspectiveEnhancement dem = model.dem() == null ? null
                : model.dem().create(dv, model.grid() > 0 ? model.grid() : settings.grid());
        if (dem != null) {
            dem.initialize(m, settings.seed() + 3);
        }
        return InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector).optDem(dem)
                .optReferenceLowRes(model.referenceLowRes()).build();
    }

    /**
     * The registered front-end {@code name} for the lab's tower: its strategy at the tower's resolution (the lab's
     * 28-px sub-images); InternVL's pixel shuffle zero-pads the lab tower's odd patch grid (7×7) to an even one
     * ({@link PixelShuffleAssembler#PixelShuffleAssembler(boolean)}).
     */
    public static VisualFrontEnd frontEnd(String name, int imageSize, int grid, int encoderChannels, int llmChannels) {
        if (name.equals(BLIND)) {
            return new VisualFrontEnd(BLIND, org.infllava.crop.CropStrategies.get("llava-1.5", imageSize),
                    new BlindAssembler(), false);
        }
        if (name.equals(LabResults.CEILING)) {
            return new VisualFrontEnd(LabResults.CEILING, org.infllava.crop.DualPerspectiveCropper.builder()
                    .setSubImageSize(imageSize).optGrid(CEILING_GRID, CEILING_GRID)
                    .optResizePolicy(org.infllava.crop.ResizePolicy.PAD_TO_SQUARE)
                    .optPerspectives(org.infllava.crop.Perspective.LOCAL).optLowResView(false)
                    .optName("ceiling-local").build(), new org.infllava.frontend.ConcatAssembler(), false);
        }
        VisualFrontEnd fe = VisualFrontEnds.create(name, imageSize, encoderChannels, llmChannels);
        if (fe.assembler() instanceof PixelShuffleAssembler && grid % 2 != 0) {
            fe = new VisualFrontEnd(fe.name(), fe.strategy(), new PixelShuffleAssembler(true), fe.referenceLowRes());
        }
        return fe;
    }

    /**
     * What one scene costs a model of the lab: encoder passes and the visual tokens the LLM sees.
     *
     * @param visualTokens tokens per image handed to the LLM
     * @param encoderPasses views the tower encodes per image
     */
    public record Cost(long visualTokens, int encoderPasses) {}

    /** The cost of {@code model} on one {@code sceneSize²} scene with the settings' tower. */
    public static Cost cost(LabModel model, LabSettings settings) {
        var t = settings.tower();
        int dl = settings.llm().hiddenSize();
        VisualFrontEnd fe;
        if (model.frontEnd() != null) {
            fe = frontEnd(model.frontEnd(), t.imageSize(), t.gridSize(), t.hiddenSize(), dl);
        } else {
            int grid = model.grid() > 0 ? model.grid() : settings.grid();
            fe = model.dem() == null
                    ? new VisualFrontEnd("llava-1.5", org.infllava.crop.CropStrategies.get("llava-1.5", t.imageSize()),
                            new org.infllava.frontend.IdentityAssembler(), false)
                    : new VisualFrontEnd("inf-dcm", org.infllava.crop.DualPerspectiveCropper.builder()
                            .setSubImageSize(t.imageSize()).optGrid(grid, grid)
                            .optResizePolicy(org.infllava.crop.ResizePolicy.PAD_TO_SQUARE).optLowResView(true).build(),
                            new org.infllava.frontend.DemAssembler(model.dem().create(t.hiddenSize(), grid)), false);
        }
        return cost(fe, settings);
    }

    /** The cost of a built front-end on one scene of the settings' size with the settings' tower. */
    public static Cost cost(VisualFrontEnd fe, LabSettings settings) {
        var layout = fe.strategy().layout(settings.sceneSize(), settings.sceneSize());
        return new Cost(fe.assembler().tokenCount(layout, settings.tower().gridSize()), layout.count());
    }

    /** Per-task accuracy on the test split, and the control with another scene's image. */
    record Scores(Map<String, Accuracy.Result> byTask, Accuracy.Result overall, Accuracy.Result control,
            LabResults.Answers answers) {}

    private Scores score(String name, InfLlavaModel model, TextTokenizer tok, Path data, NDManager m, ProgressBar bar) {
        LlavaDataset test = LlavaDataset.load(data.resolve(settings.scoreFile()), data, true);
        JsonArray raw = readArray(data.resolve(settings.scoreFile()));
        List<Accuracy.Item> items = new ArrayList<>();
        List<Accuracy.Item> swapped = new ArrayList<>();
        ParameterStore ps = new ParameterStore(m, false);
        int n = test.rows().size();
        // every question (and, with the control, the same question about a scene of another task block) answered in
        // batches of ANSWER_BATCH: equal accuracy with another scene's image means the model answers from the
        // question alone; lower accuracy means it reads this scene
        List<long[]> prompts = new ArrayList<>();
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            LlavaDataset.Row row = test.rows().get(i);
            long[] ids = ChatTemplate.PLAIN.render(row.turns().subList(0, 1), tok, true).ids();
            prompts.add(ids);
            images.add(row.images().get(0));
            if (settings.control()) {
                prompts.add(ids);
                images.add(test.rows().get((i + n / 2 + 1) % n).images().get(0));
            }
        }
        List<String> answers = new ArrayList<>();
        for (int from = 0; from < prompts.size(); from += ANSWER_BATCH) {
            int to = Math.min(prompts.size(), from + ANSWER_BATCH);
            answers.addAll(answer(model, ps, m, prompts.subList(from, to), images.subList(from, to), tok));
            bar.advance(to - from, name + ": test " + to + "/" + prompts.size());
        }
        int per = settings.control() ? 2 : 1;
        for (int i = 0; i < n; i++) {
            LlavaDataset.Row row = test.rows().get(i);
            String task = raw.get(i).getAsJsonObject().get("task").getAsString();
            String reference = row.turns().get(1).text();
            items.add(new Accuracy.Item(task, answers.get(per * i), reference));
            if (settings.control()) {
                swapped.add(new Accuracy.Item("all", answers.get(per * i + 1), reference));
            }
        }
        Accuracy.Result overall = Accuracy.byGroup(items.stream().map(x -> new Accuracy.Item("all", x.prediction(),
                x.reference())).toList()).get("all");
        return new Scores(Accuracy.byGroup(items), overall,
                settings.control() ? Accuracy.byGroup(swapped).get("all") : null, answers(items, swapped));
    }

    /** Per-question correctness (the {@link Accuracy} rule) of the answers and, when present, the control's. */
    static LabResults.Answers answers(List<Accuracy.Item> items, List<Accuracy.Item> control) {
        boolean[] own = new boolean[items.size()];
        boolean[] other = control.isEmpty() ? null : new boolean[items.size()];
        for (int i = 0; i < own.length; i++) {
            own[i] = correct(items.get(i));
            if (other != null) {
                other[i] = correct(control.get(i));
            }
        }
        return new LabResults.Answers(items.stream().map(Accuracy.Item::group).toList(), own, other);
    }

    private static boolean correct(Accuracy.Item i) {
        return Accuracy.normalise(i.prediction()).equals(Accuracy.normalise(i.reference()));
    }

    /** Test questions answered together in one left-padded batch ({@link InfLlavaModel#generateBatch}). */
    static final int ANSWER_BATCH = 16;

    private static List<String> answer(InfLlavaModel model, ParameterStore ps, NDManager m, List<long[]> ids,
            List<Path> images, TextTokenizer tok) {
        List<List<BufferedImage>> imgs = new ArrayList<>();
        for (Path p : images) {
            imgs.add(List.of(ImageFiles.read(p)));
        }
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            List<String> out = new ArrayList<>();
            for (long[] row : model.generateBatch(ps, m, ids, imgs, GenerationConfig.greedy(2, 2))) {
                out.add(tok.decode(row, true));
            }
            return out;
        }
    }

    private JsonObject provenance(LabModel model) {
        JsonObject p = new JsonObject();
        p.addProperty("lab_model", model.name());
        p.addProperty("grid", model.grid() > 0 ? model.grid() : settings.grid());
        p.add("settings", new Gson().toJsonTree(settings));
        return p;
    }

    private static JsonArray readArray(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonArray();
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Every word of every conversation (with the special tokens first), for the word-level tokenizer. */
    static List<String> vocabulary(Path data) {
        Set<String> words = new LinkedHashSet<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
        for (String split : List.of("train", "val", "test")) {
            for (JsonElement e : readArray(data.resolve(split + ".json"))) {
                for (JsonElement t : e.getAsJsonObject().getAsJsonArray("conversations")) {
                    String text = t.getAsJsonObject().get("value").getAsString().replace("<image>", " ");
                    for (String w : text.split("[\\s]+|(?=\\p{Punct})|(?<=\\p{Punct})")) {
                        if (!w.isBlank()) {
                            words.add(w);
                        }
                    }
                }
            }
        }
        // every answer a model could be asked for, so that the vocabulary does not depend on the sample
        for (char c : HiResSynth.GLYPHS.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            words.add(String.valueOf(c));
        }
        for (int i = 0; i <= 36; i++) {
            words.add(String.valueOf(i));
        }
        return new ArrayList<>(words);
    }

    /** Builder of {@link Lab}. */
    public static final class Builder {
        private LabSettings settings = LabSettings.defaults();
        private List<LabModel> models = List.of(LabModel.llava15(), LabModel.paper(), LabModel.reference());
        private PrintWriter out = new PrintWriter(Writer.nullWriter());
        private int parallelRows = 0;
        private Path reuse;

        private Builder() {}

        /**
         * Reuses the data and the stage-0 tower of an earlier run directory (linked, not copied) instead of writing
         * and training them: for experiments on the rows' recipe. The earlier run must have had the same seed and
         * data and tower settings; this is the caller's responsibility (default: none, a fresh run).
         */
        public Builder optReuse(Path earlierRun) {
            this.reuse = earlierRun;
            return this;
        }

        /**
         * Rows trained side by side, each on one intra-op thread (default 0: one per available processor, at most
         * one per model); 1 trains them one after another with the engine's thread count.
         */
        public Builder optParallelRows(int parallelRows) {
            this.parallelRows = parallelRows;
            return this;
        }

        /** Settings (default {@link LabSettings#defaults()}). */
        public Builder optSettings(LabSettings settings) {
            this.settings = settings;
            return this;
        }

        /** Models in run order (default llava-1.5, inf-llava-paper, inf-llava-reference). */
        public Builder optModels(List<LabModel> models) {
            this.models = models;
            return this;
        }

        /** Where progress and one line per model go (default nowhere). */
        public Builder optOutput(PrintWriter out) {
            this.out = out;
            return this;
        }

        /** Validates and builds. */
        public Lab build() {
            if (models.isEmpty()) {
                throw new IllegalArgumentException("a lab needs at least one model");
            }
            if (parallelRows < 0) {
                throw new IllegalArgumentException("parallelRows must be >= 0 (0: one per processor), got "
                        + parallelRows);
            }
            Set<String> names = new LinkedHashSet<>();
            for (LabModel m : models) {
                if (!names.add(m.name())) {
                    throw new IllegalArgumentException("two lab models are called '" + m.name() + "'");
                }
            }
            return new Lab(this);
        }
    }
}
