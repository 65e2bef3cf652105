package org.infllava.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import org.infllava.data.synth.Scene;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.dem.LowResCombine;
import org.infllava.dem.StandardVariant;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.model.InfLlavaModel;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Linear probes on frozen visual features: how much fine detail each variant's tokens carry, independently of any
 * LLM. For every variant (low-resolution view only, DCM local only, DCM global only, PAPER, REFERENCE) the features
 * before the projector, {@code (T_v, d_v)} per image on a {@code t × t} token grid, are read at the token over an
 * object and fed to Tribuo's logistic regression and linear SGD (hinge) trainers, then scored on held-out scenes with
 * Tribuo's {@link LabelEvaluator} (accuracy, macro-F1).
 *
 * <p>Facts: {@code glyph} — the character of a glyph tile, from the token over it (10 classes); {@code colour} — the
 * colour of a small object, from the token over it (5 classes); {@code shape} — square, disc or triangle of a small
 * object, from the token over it; {@code count} — how many small objects the scene holds, from the mean of all its
 * tokens.
 */
public final class LinearProbe {

    /** The facts probed. */
    public static final List<String> FACTS = List.of("glyph", "colour", "shape", "count");

    /**
     * One probe's held-out result.
     *
     * @param variant the feature variant
     * @param fact the fact
     * @param trainer {@code logistic} or {@code linear-sgd}
     * @param train training examples
     * @param test test examples
     * @param accuracy held-out accuracy
     * @param macroF1 held-out macro-averaged F1
     */
    public record Result(String variant, String fact, String trainer, int train, int test, double accuracy,
            double macroF1) {}

    private final Lab lab;
    private final Map<String, LabModel> variants;
    private final Path visionDir;
    private final Map<String, Path> trainedWeights;
    private final int epochs;

    private LinearProbe(Builder b) {
        this.lab = b.lab;
        this.variants = new LinkedHashMap<>(b.variants);
        this.visionDir = b.visionDir;
        this.trainedWeights = Map.copyOf(b.trainedWeights);
        this.epochs = b.epochs;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The five standard variants by name. */
    public static Map<String, LabModel> standardVariants() {
        Map<String, LabModel> v = new LinkedHashMap<>();
        v.put("low-res", LabModel.llava15());
        v.put("dcm-local", LabModel.paperWith("dcm-local", b -> b.optVariant(StandardVariant.LOCAL_CROP_ONLY)
                .optLowResCombine(LowResCombine.NONE)));
        v.put("dcm-global", LabModel.paperWith("dcm-global", b -> b.optVariant(StandardVariant.GLOBAL_CROP_ONLY)
                .optLowResCombine(LowResCombine.NONE)));
        v.put("paper", LabModel.paper());
        v.put("reference", LabModel.reference());
        return v;
    }

    /**
     * Probes every variant on every fact: features of {@code trainScenes} fit the probes, those of
     * {@code testScenes} score them.
     *
     * @param progress called with the number of scenes encoded so far
     */
    public List<Result> run(List<Scene> trainScenes, List<Scene> testScenes, NDManager manager, IntConsumer progress) {
        List<Result> out = new ArrayList<>();
        int[] done = {0};
        for (Map.Entry<String, LabModel> v : variants.entrySet()) {
            InfLlavaModel model = lab.build(v.getValue(), visionDir, 8, manager);
            Path weights = trainedWeights.get(v.getKey());
            if (weights != null && model.dem() != null) {
                loadDem(model.dem(), weights);
            }
            Map<String, List<Example<Label>>> train = examples(model, trainScenes, manager, done, progress);
            Map<String, List<Example<Label>>> test = examples(model, testScenes, manager, done, progress);
            for (String fact : FACTS) {
                for (String trainerName : List.of("logistic", "linear-sgd")) {
                    out.add(fit(v.getKey(), fact, trainerName, train.get(fact), test.get(fact)));
                }
            }
        }
        return out;
    }

    /** The results as a Tablesaw table. */
    public static Table table(List<Result> results) {
        StringColumn variant = StringColumn.create("variant");
        StringColumn fact = StringColumn.create("fact");
        StringColumn trainer = StringColumn.create("trainer");
        IntColumn train = IntColumn.create("train");
        IntColumn test = IntColumn.create("test");
        DoubleColumn acc = DoubleColumn.create("accuracy");
        DoubleColumn f1 = DoubleColumn.create("macro_f1");
        for (Result r : results) {
            variant.append(r.variant());
            fact.append(r.fact());
            trainer.append(r.trainer());
            train.append(r.train());
            test.append(r.test());
            acc.append(r.accuracy());
            f1.append(r.macroF1());
        }
        return Table.create("linear probes on frozen visual features", variant, fact, trainer, train, test, acc, f1);
    }

    private Result fit(String variant, String fact, String trainerName, List<Example<Label>> train,
            List<Example<Label>> test) {
        LabelFactory f = new LabelFactory();
        long seed = lab.settings().seed();
        // a fresh trainer per fit, so that every probe starts from its seed
        Trainer<Label> trainer = trainerName.equals("logistic") ? new LogisticRegressionTrainer()
                : new LinearSGDTrainer(new Hinge(), new AdaGrad(0.1, 0.1), epochs, seed);
        MutableDataset<Label> tr = new MutableDataset<>(new SimpleDataSourceProvenance("lab probe " + variant + " "
                + fact + " train", OffsetDateTime.now(), f), f);
        train.forEach(tr::add);
        MutableDataset<Label> te = new MutableDataset<>(new SimpleDataSourceProvenance("lab probe " + variant + " "
                + fact + " test", OffsetDateTime.now(), f), f);
        test.forEach(te::add);
        Model<Label> model = trainer.train(tr);
        LabelEvaluation e = new LabelEvaluator().evaluate(model, te);
        return new Result(variant, fact, trainerName, tr.size(), te.size(), e.accuracy(), e.macroAveragedF1());
    }

    /** Probe examples per fact from each scene's visual features. */
    private Map<String, List<Example<Label>>> examples(InfLlavaModel model, List<Scene> scenes, NDManager manager,
            int[] done, IntConsumer progress) {
        Map<String, List<Example<Label>>> out = new LinkedHashMap<>();
        FACTS.forEach(f -> out.put(f, new ArrayList<>()));
        ParameterStore ps = new ParameterStore(manager, false);
        int size = lab.settings().sceneSize();
        for (Scene s : scenes) {
            BufferedImage img = s.render(size);
            float[] feats;
            long tokens;
            long d;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray f = model.visualFeatures(ps, manager, img, false); // (1, T_v, d_v)
                tokens = f.getShape().get(1);
                d = f.getShape().get(2);
                feats = f.toFloatArray();
            }
            int side = (int) Math.round(Math.sqrt(tokens));
            String[] names = new String[(int) d];
            for (int k = 0; k < d; k++) {
                names[k] = String.format(Locale.ROOT, "f%03d", k);
            }
            int small = 0;
            for (Scene.Item o : s.objects()) {
                int ty = (int) ((o.row() + 0.5) / s.cells() * side);
                int tx = (int) ((o.col() + 0.5) / s.cells() * side);
                double[] v = new double[(int) d];
                for (int k = 0; k < d; k++) {
                    v[k] = feats[(int) ((ty * side + tx) * d + k)];
                }
                if (o.shape() == Scene.Shape.GLYPH) {
                    out.get("glyph").add(new ArrayExample<>(new Label(String.valueOf(o.glyph())), names, v));
                } else {
                    small++;
                    out.get("colour").add(new ArrayExample<>(new Label(o.hue().word()), names, v));
                    out.get("shape").add(new ArrayExample<>(new Label(o.shapeWord()), names, v));
                }
            }
            double[] mean = new double[(int) d];
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < d; k++) {
                    mean[k] += feats[(int) (t * d + k)] / tokens;
                }
            }
            out.get("count").add(new ArrayExample<>(new Label(String.valueOf(small)), names, mean));
            progress.accept(++done[0]);
        }
        return out;
    }

    /** Loads the {@code dem.*} tensors of a lab checkpoint's {@code trainable.safetensors} into {@code dem}. */
    static void loadDem(DualPerspectiveEnhancement dem, Path file) {
        Map<String, HostTensor> all = SafeTensors.read(file);
        dem.namedParameters().forEach((k, p) -> {
            HostTensor t = all.get("dem." + k);
            if (t == null) {
                throw new InvalidInputException(file, "no tensor 'dem." + k + "' for the DEM being probed");
            }
            p.getArray().set(FloatBuffer.wrap(t.data()));
        });
    }

    /** Builder of {@link LinearProbe}. */
    public static final class Builder {
        private Lab lab;
        private Path visionDir;
        private Map<String, LabModel> variants = standardVariants();
        private Map<String, Path> trainedWeights = Map.of();
        private int epochs = 10;

        private Builder() {}

        /** The lab whose settings (scene size, LLM) build the variants (required). */
        public Builder setLab(Lab lab) {
            this.lab = lab;
            return this;
        }

        /** The stage-0 tower, a CLIPVisionModel directory (required). */
        public Builder setVisionDir(Path visionDir) {
            this.visionDir = visionDir;
            return this;
        }

        /** Variants by name (default {@link #standardVariants()}). */
        public Builder optVariants(Map<String, LabModel> variants) {
            this.variants = variants;
            return this;
        }

        /** Trained DEM weights (a lab checkpoint's {@code trainable.safetensors}) per variant; others as initialised. */
        public Builder optTrainedWeights(Map<String, Path> trainedWeights) {
            this.trainedWeights = trainedWeights;
            return this;
        }

        /** Epochs of linear SGD (default 10). */
        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Validates and builds. */
        public LinearProbe build() {
            if (lab == null || visionDir == null || variants.isEmpty() || epochs < 1) {
                throw new IllegalArgumentException("a probe needs a lab, a vision directory, a variant and epochs >= 1; "
                        + "got lab=" + lab + " visionDir=" + visionDir + " variants=" + variants.keySet() + " epochs="
                        + epochs);
            }
            return new LinearProbe(this);
        }
    }
}
