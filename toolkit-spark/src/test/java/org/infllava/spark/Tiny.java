package org.infllava.spark;

import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.infllava.data.SynthCaptions;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.eval.Benchmark;
import org.infllava.eval.BenchmarkData;
import org.infllava.eval.EvalResult;
import org.infllava.eval.Evaluator;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.ClipVisionEncoder;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.LlamaConfig;
import org.infllava.model.LlamaDecoder;
import org.infllava.model.MlpProjector;
import org.infllava.model.ModelDirectory;

/**
 * Test fixtures: a tiny random INF-LLaVA saved as a model directory (as toolkit-cli's EvalCommandTest makes it), a
 * POPE-format file with images of different sizes, the single-process evaluation to compare with, and one local Spark
 * session for every test of the module (two task threads: one executor, this JVM).
 */
final class Tiny {

    private static SparkSession spark;

    private Tiny() {}

    /** The module's local Spark session ({@code local[2]}), made on first use and kept for the JVM. */
    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkMain.session("local[2]", "toolkit-spark tests");
        }
        return spark;
    }

    static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(spark().sparkContext());
    }

    /** A tiny random model directory {@code dir/tiny-paper}. */
    static Path model(Path dir) {
        return model(dir, "tiny-paper", 32, 2, 28, 32, 1);
    }

    /**
     * A random INF-LLaVA model directory {@code dir/name}: CLIP of width {@code dv} and {@code visionLayers} layers on
     * {@code imageSize} pixels (patch 14), a LLaMA of width {@code dl} and {@code llmLayers} layers, the paper's DEM,
     * the toolkit's word-level tokenizer of 32 words.
     */
    static Path model(Path dir, String name, int dv, int visionLayers, int imageSize, int dl, int llmLayers) {
        List<String> words = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
        for (int i = 0; i < 28; i++) {
            words.add("w" + i);
        }
        try {
            Files.createDirectories(dir);
            Path tok = dir.resolve("tokenizer.json");
            Files.writeString(tok, SynthCaptions.wordLevelTokenizer(words));
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                ClipVisionEncoder vision = new ClipVisionEncoder(new ClipVisionConfig(dv, 2 * dv, visionLayers, 2, 3,
                        imageSize, 14, "quick_gelu", 1e-5f));
                vision.initialize(m, 1);
                LlamaDecoder llm = new LlamaDecoder(new LlamaConfig(32, dl, 2 * dl, llmLayers, 4, 4, 1e-6f, 10000,
                        null, 256, false));
                llm.initialize(m, 2);
                MlpProjector proj = new MlpProjector(MlpProjector.Type.MLP2X_GELU, dv, dl);
                proj.initialize(m, 3);
                DualPerspectiveEnhancement dem = DemPresets.paper(dv, 2, 2);
                dem.initialize(m, 4);
                Path modelDir = dir.resolve(name);
                InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(proj).optDem(dem).build()
                        .save(modelDir, tok, "plain");
                return modelDir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image of {@code 40 + 10 i} × 40 pixels with a coloured square. */
    static BufferedImage image(int i) {
        BufferedImage img = new BufferedImage(40 + 10 * (i % 6), 40 + 7 * (i % 3), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color((40 * i) % 256, (200 + 30 * i) % 256, 90));
        g.fillRect(5 + i % 7, 5, 20, 20);
        g.dispose();
        return img;
    }

    /** A POPE file {@code dir/pope/pope.jsonl} of {@code n} questions on {@code img<i>.png}. */
    static Path pope(Path dir, int n) {
        try {
            Path data = Files.createDirectories(dir.resolve("pope"));
            StringBuilder jsonl = new StringBuilder();
            for (int i = 0; i < n; i++) {
                ImageIO.write(image(i), "png", data.resolve("img" + i + ".png").toFile());
                jsonl.append(String.format("{\"question_id\": %d, \"image\": \"img%d.png\", \"text\": \"Is there a w%d "
                        + "in the image?\", \"label\": \"%s\", \"category\": \"%s\"}%n", i, i, i % 28,
                        i % 3 == 0 ? "yes" : "no", i % 2 == 0 ? "random" : "popular"));
            }
            Path pope = data.resolve("pope.jsonl");
            Files.writeString(pope, jsonl);
            return pope;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code infllava eval}'s path in this JVM: the model loaded here, {@link Evaluator} answering in batches. */
    static EvalResult singleProcess(Path modelDir, Path pope, Path out, int batch, int maxNewTokens) {
        BenchmarkData bd = Benchmark.get("pope").load(pope, null, LoadOptions.builder().images(true).build());
        try (NDManager m = NDManager.newBaseManager("PyTorch"); TextTokenizer tok = TextTokenizer.load(modelDir)) {
            InfLlavaModel mdl = InfLlavaModel.fromPretrained(modelDir, null, m);
            ChatTemplate tpl = ModelDirectory.chatTemplate(modelDir, null);
            return Evaluator.builder().setModel(mdl).setTokenizer(tok).optTemplate(tpl).optModelId("tiny-paper")
                    .optBatchSize(batch).optMaxNewTokens(maxNewTokens)
                    .optStopTokens(ModelDirectory.stopTokens(modelDir, tok, tpl)).build().run(bd, out);
        }
    }
}
