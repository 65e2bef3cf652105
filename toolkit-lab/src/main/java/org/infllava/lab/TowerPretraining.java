package org.infllava.lab;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.CropGrid;
import org.infllava.crop.GridMaps;
import org.infllava.crop.Perspective;
import org.infllava.data.synth.HiResSynth;
import org.infllava.data.synth.Scene;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.ClipVisionEncoder;
import org.infllava.model.MlpProjector;
import org.infllava.train.AdamW;
import org.infllava.train.GradientClipping;
import org.infllava.train.LrSchedule;

/**
 * Stage 0 of the lab: pretrains a tiny vision tower at sub-image resolution with a dense visual objective, as CLIP is
 * pretrained before LLaVA freezes it. For each of its patches the tower and a linear head predict what lies under the
 * patch centre — nothing, one of the small shapes in one of the colours and fills, or a glyph's character — read
 * from the scene description ({@link #cellClass}). Training views are the ones the models will see: the low-resolution
 * view of the whole scene, the local sub-images (native scale) and the global strided sub-images of the DCM grid.
 *
 * <p>Shapes: views {@code (B, 3, s, s)} → patch features {@code (B, P, C)} → class logits {@code (B, P, K)} with
 * {@code P = (s / patch)²} and {@code K = } {@link #classes()}.
 */
public final class TowerPretraining {

    /** The views stage 0 trains on. */
    public enum View { LOW_RES, LOCAL, GLOBAL }

    /**
     * The outcome.
     *
     * @param encoder the trained tower
     * @param firstLoss the loss of the first step
     * @param lastLoss the mean loss of the last tenth of the steps
     * @param objectAccuracy held-out accuracy on the patches over objects, per view
     * @param checkeredAccuracy held-out fraction of the patches over checkered shapes that the head calls checkered
     *     (any checkered class), per view: where the fine texture can be read
     */
    public record Result(ClipVisionEncoder encoder, double firstLoss, double lastLoss,
            Map<View, Double> objectAccuracy, Map<View, Double> checkeredAccuracy) {}

    private final ClipVisionConfig config;
    private final List<Scene> scenes;
    private final int sceneSize;
    private final int grid;
    private final int steps;
    private final int batchSize;
    private final double learningRate;
    private final long seed;
    private final List<View> views;
    private final int selectLayer;
    private final int evalScenes = 40;

    private TowerPretraining(Builder b) {
        this.config = b.config;
        this.scenes = List.copyOf(b.scenes);
        this.sceneSize = b.sceneSize;
        this.grid = b.grid;
        this.steps = b.steps;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRate;
        this.seed = b.seed;
        this.views = List.copyOf(b.views);
        this.selectLayer = b.selectLayer;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Number of per-patch classes: nothing, 3 small shapes × 5 colours × 2 fills (plain, checkered), and one per
     * glyph character.
     */
    public static int classes() {
        return 1 + SMALL_CLASSES + HiResSynth.GLYPHS.length();
    }

    private static final int SMALL_CLASSES = 2 * 3 * Scene.Hue.values().length;

    /**
     * The class of an object: {@code 1 + (fill·3 + shape)·5 + hue} for small shapes (fill 1 when checkered),
     * {@code 31 + index} for glyph tiles.
     */
    public static int cellClass(Scene.Item o) {
        if (o.shape() == Scene.Shape.GLYPH) {
            return 1 + SMALL_CLASSES + HiResSynth.GLYPHS.indexOf(o.glyph());
        }
        return 1 + ((o.checkered() ? 3 : 0) + o.shape().ordinal()) * Scene.Hue.values().length + o.hue().ordinal();
    }

    /**
     * The class of every pixel of a scene rendered at {@code size}: an object's class over its drawn box grown by one
     * pixel, 0 elsewhere. Row-major {@code size × size}.
     */
    public static int[] labelMap(Scene s, int size) {
        int[] map = new int[size * size];
        for (Scene.Item o : s.objects()) {
            int[] box = s.box(o, size);
            int x = box[0];
            int y = box[1];
            int w = box[2];
            for (int yy = Math.max(0, y - 1); yy < Math.min(size, y + w + 1); yy++) {
                for (int xx = Math.max(0, x - 1); xx < Math.min(size, x + w + 1); xx++) {
                    map[yy * size + xx] = cellClass(o);
                }
            }
        }
        return map;
    }

    /**
     * Trains a fresh tower.
     *
     * @param manager owns the tower's parameters
     * @param progress called with the step number after every step
     */
    public Result run(NDManager manager, IntConsumer progress) {
        // one intra-op thread: the operations are tiny (16 views of 49 patches at d 48), so a second thread mostly
        // adds wake-ups, and on a busy machine each operation waits for a descheduled thread (over 10 minutes for
        // the lab's 3000 steps at load average 7 on two threads, 2.5 minutes on one)
        try (org.infllava.model.IntraOpThreads one = org.infllava.model.IntraOpThreads.exactly(1)) {
            return train(manager, progress);
        }
    }

    private Result train(NDManager manager, IntConsumer progress) {
        int s = config.imageSize();
        ClipPreprocessor pre = config.preprocessor(); // the statistics the assembled model will use
        CropGrid cropGrid = CropGrid.of(grid, grid, s, s);
        List<BufferedImage> images = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        for (Scene sc : scenes) {
            images.add(sc.render(sceneSize));
            labels.add(labelMap(sc, sceneSize));
        }
        ClipVisionEncoder enc = new ClipVisionEncoder(config);
        enc.initialize(manager, seed);
        MlpProjector head = new MlpProjector(MlpProjector.Type.LINEAR, config.hiddenSize(), classes());
        head.initialize(manager, seed + 1);
        Map<String, Parameter> params = new LinkedHashMap<>();
        enc.namedParameters().forEach((k, p) -> params.put("vision." + k, p));
        head.namedParameters().forEach((k, p) -> params.put("head." + k, p));
        params.values().forEach(p -> p.getArray().setRequiresGradient(true));
        AdamW opt = new AdamW(params, manager, 0.9, 0.999, 1e-8, 0);
        LrSchedule lr = LrSchedule.of(learningRate, steps, 0.05, 0.1);
        Random r = new Random(seed);
        ParameterStore ps = new ParameterStore(manager, false);
        double first = Double.NaN;
        double tail = 0;
        int tailSteps = Math.max(1, steps / 10);
        int pixels = 3 * s * s;
        int tokens = config.gridSize() * config.gridSize(); // patches per view
        Map<Integer, Prepared[]> prepared = new java.util.HashMap<>();
        for (int step = 0; step < steps; step++) {
            float[] px = new float[batchSize * pixels];
            long[] tg = new long[batchSize * tokens];
            for (int i = 0; i < batchSize; i++) {
                int k = r.nextInt(images.size());
                View v = views.get(r.nextInt(views.size()));
                int pick = r.nextInt(grid * grid);
                // each scene's views are cropped, normalised and labelled once, when first drawn
                Prepared[] perView = prepared.computeIfAbsent(k, x -> new Prepared[View.values().length]);
                if (perView[v.ordinal()] == null) {
                    perView[v.ordinal()] = prepare(views(v, images.get(k), labels.get(k), cropGrid), pre);
                }
                Prepared view = perView[v.ordinal()];
                int at = pick % view.pixels().length;
                System.arraycopy(view.pixels()[at], 0, px, i * pixels, pixels);
                System.arraycopy(view.targets()[at], 0, tg, i * tokens, tokens);
            }
            double loss;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray f = enc.features(ps, manager.create(px, new Shape(batchSize, 3, s, s)), selectLayer,
                            ClipVisionEncoder.SelectFeature.PATCH, true); // (B, P, C)
                    NDArray logp = head.project(ps, f, true).logSoftmax(-1); // (B, P, K)
                    NDArray picked = logp.gather(manager.create(tg, new Shape(batchSize, tokens, 1)), -1); // (B, P, 1)
                    NDArray l = picked.mean().neg();
                    gc.backward(l);
                    loss = l.getFloat();
                }
            }
            GradientClipping.clipByGlobalNorm(params.values(), 1.0);
            opt.step(lr.at(step));
            first = step == 0 ? loss : first;
            if (step >= steps - tailSteps) {
                tail += loss / tailSteps;
            }
            progress.accept(step + 1);
        }
        for (Parameter p : params.values()) {
            p.getArray().setRequiresGradient(false);
        }
        Map<View, Double> accuracy = new java.util.EnumMap<>(View.class);
        Map<View, Double> checkered = new java.util.EnumMap<>(View.class);
        for (View v : View.values()) {
            double[] a = heldOutAccuracy(enc, head, ps, manager, v, cropGrid);
            accuracy.put(v, a[0]);
            checkered.put(v, a[1]);
        }
        return new Result(enc, first, tail, accuracy, checkered);
    }

    /** A scene's views of one kind, normalised, and the class under each of their patches. */
    private record Prepared(float[][] pixels, long[][] targets) {}

    private Prepared prepare(List<ViewSample> views, ClipPreprocessor pre) {
        int tokens = config.gridSize() * config.gridSize();
        float[][] px = new float[views.size()][];
        long[][] tg = new long[views.size()][tokens];
        for (int k = 0; k < views.size(); k++) {
            px[k] = pre.normalize(views.get(k).image());
            for (int p = 0; p < tokens; p++) {
                tg[k][p] = patchLabel(views.get(k).labels(), p);
            }
        }
        return new Prepared(px, tg);
    }

    /** A view the tower sees and the class of each of its pixels. */
    private record ViewSample(BufferedImage image, int[] labels) {}

    /** Every view {@code v} makes of a scene: the low-resolution view, or the N sub-images of a DCM perspective. */
    private List<ViewSample> views(View v, BufferedImage image, int[] labels, CropGrid cropGrid) {
        int s = config.imageSize();
        if (v == View.LOW_RES) {
            return List.of(new ViewSample(ClipPreprocessor.resize(image, s, s), nearest(labels, sceneSize, s)));
        }
        Perspective perspective = v == View.LOCAL ? Perspective.LOCAL : Perspective.GLOBAL;
        List<BufferedImage> subs = GridMaps.crop(image, cropGrid, perspective);
        int[][] subLabels = GridMaps.crop(labels, cropGrid, perspective);
        List<ViewSample> out = new ArrayList<>();
        for (int k = 0; k < subs.size(); k++) {
            out.add(new ViewSample(subs.get(k), subLabels[k]));
        }
        return out;
    }

    /** The class under the centre of patch {@code p} of a view (row-major patches). */
    private int patchLabel(int[] viewLabels, int p) {
        int side = config.gridSize();
        int patch = config.patchSize();
        return viewLabels[((p / side) * patch + patch / 2) * config.imageSize() + (p % side) * patch + patch / 2];
    }

    /** Whether {@code label} is a checkered small shape's class. */
    static boolean isCheckered(int label) {
        return label > SMALL_CLASSES / 2 && label <= SMALL_CLASSES;
    }

    /**
     * Held-out accuracy of the head on view {@code v}: {@code {on the patches that lie over an object, fill read on
     * the patches over checkered shapes}} — how much of the scene, and of its finest texture, the tower reads at each
     * scale. Scored on {@code evalScenes} fresh scenes (seeded), every sub-image of each.
     */
    private double[] heldOutAccuracy(ClipVisionEncoder enc, MlpProjector head, ParameterStore ps, NDManager manager,
            View v, CropGrid cropGrid) {
        int s = config.imageSize();
        ClipPreprocessor pre = config.preprocessor(); // the statistics the assembled model will use
        Random r = new Random(seed + 7919);
        int right = 0;
        int total = 0;
        int checkeredRight = 0;
        int checkeredTotal = 0;
        for (int i = 0; i < evalScenes; i++) {
            Scene sc = HiResSynth.scene(r);
            BufferedImage image = sc.render(sceneSize);
            int[] labels = labelMap(sc, sceneSize);
            for (ViewSample view : views(v, image, labels, cropGrid)) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray px = manager.create(pre.normalize(view.image()), new Shape(1, 3, s, s));
                    NDArray f = enc.features(ps, px, selectLayer, ClipVisionEncoder.SelectFeature.PATCH, false);
                    long[] pred = head.project(ps, f, false).argMax(-1).toType(ai.djl.ndarray.types.DataType.INT64,
                            false).toLongArray(); // (1, P)
                    for (int p = 0; p < pred.length; p++) {
                        int label = patchLabel(view.labels(), p);
                        if (label != 0) {
                            total++;
                            right += pred[p] == label ? 1 : 0;
                        }
                        if (isCheckered(label)) {
                            checkeredTotal++;
                            checkeredRight += isCheckered((int) pred[p]) ? 1 : 0;
                        }
                    }
                }
            }
        }
        return new double[] {total == 0 ? Double.NaN : (double) right / total,
            checkeredTotal == 0 ? Double.NaN : (double) checkeredRight / checkeredTotal};
    }

    /** Nearest-neighbour resampling of a square label map from {@code from} to {@code to} pixels per side. */
    private static int[] nearest(int[] map, int from, int to) {
        int[] out = new int[to * to];
        for (int y = 0; y < to; y++) {
            int sy = (int) ((y + 0.5) * from / to);
            for (int x = 0; x < to; x++) {
                out[y * to + x] = map[sy * from + (int) ((x + 0.5) * from / to)];
            }
        }
        return out;
    }

    /** Builder of {@link TowerPretraining}. */
    public static final class Builder {
        private ClipVisionConfig config;
        private List<Scene> scenes;
        private int sceneSize = 84;
        private int grid = 3;
        private int steps = 600;
        private int batchSize = 16;
        private double learningRate = 3e-3;
        private long seed = 1;
        private List<View> views = List.of(View.values());
        private int selectLayer = -2;

        private Builder() {}

        /** The tower's configuration (required). */
        public Builder setEncoderConfig(ClipVisionConfig config) {
            this.config = config;
            return this;
        }

        /** The training scenes (required). */
        public Builder setScenes(List<Scene> scenes) {
            this.scenes = scenes;
            return this;
        }

        /** Side of the rendered scenes in pixels (default 84). */
        public Builder optSceneSize(int sceneSize) {
            this.sceneSize = sceneSize;
            return this;
        }

        /** DCM grid per side whose sub-images the tower trains on (default 3). */
        public Builder optGrid(int grid) {
            this.grid = grid;
            return this;
        }

        /** Optimiser steps (default 600). */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Views per step (default 16). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Peak learning rate of the warm-up + cosine schedule (default 3e-3). */
        public Builder optLearningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** Seed of the initialisation and of the view sampling (default 1). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The views to train on (default all three). */
        public Builder optViews(View... views) {
            this.views = List.of(views);
            return this;
        }

        /** The hidden layer the head reads, as the models will (default -2, LLaVA's). */
        public Builder optSelectLayer(int selectLayer) {
            this.selectLayer = selectLayer;
            return this;
        }

        /** Validates and builds. */
        public TowerPretraining build() {
            if (config == null || scenes == null || scenes.isEmpty()) {
                throw new IllegalArgumentException("TowerPretraining needs an encoder config and at least one scene, "
                        + "got config=" + config + ", scenes=" + (scenes == null ? null : scenes.size()));
            }
            if (sceneSize != grid * config.imageSize()) {
                throw new IllegalArgumentException("sceneSize (" + sceneSize + ") must equal grid (" + grid
                        + ") × the tower's image size (" + config.imageSize() + ")");
            }
            if (steps < 1 || batchSize < 1 || learningRate <= 0 || views.isEmpty()) {
                throw new IllegalArgumentException("TowerPretraining needs steps >= 1, batchSize >= 1, learningRate > 0 "
                        + "and a view, got " + steps + ", " + batchSize + ", " + learningRate + ", " + views);
            }
            return new TowerPretraining(this);
        }
    }
}
