package org.infllava.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import org.infllava.model.InfLlavaModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * Feature extraction on Spark against {@link InfLlavaModel#visualFeatures} in this process: the same tensor per image
 * whatever the partitioning, read back by {@link FeatureFiles}, as a Tablesaw table
 * and as the probes' {@code (T_v, d_v)} matrices; a bad image is an error naming it and leaves no folder behind.
 */
class FeatureExtractorTest {

    private static final int IMAGES = 5;

    @TempDir
    static Path dir;

    private static Path modelDir;
    private static Path images;

    @BeforeAll
    static void data() throws IOException {
        modelDir = Tiny.model(dir);
        images = Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(images.resolve("sub"));
        for (int i = 0; i < IMAGES; i++) {
            ImageIO.write(Tiny.image(i), "png", images.resolve((i == 3 ? "sub/" : "") + "im" + i + ".png").toFile());
        }
        Files.writeString(images.resolve("notes.txt"), "not an image, not listed");
    }

    @Test
    void featuresEqualOneProcessAndReadBackAsTablesAndMatrices() {
        Path out = dir.resolve("features.parquet");
        long n = FeatureExtractor.builder().setSpark(Tiny.spark()).setModelDir(modelDir).optPartitions(3).build()
                .run(images, out);
        assertEquals(IMAGES, n);
        List<Feature> features = FeatureFiles.read(out);
        assertEquals(List.of("im0.png", "im1.png", "im2.png", "im4.png", "sub/im3.png"),
                features.stream().map(Feature::imageId).toList());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, null, m);
            for (Feature f : features) {
                NDArray ref = model.visualFeatures(new ParameterStore(m, false), m,
                        ImageFiles.read(images.resolve(f.imageId())), false); // (1, T_v, d_v)
                assertArrayEquals(ref.getShape().getShape(), java.util.Arrays.stream(f.shape()).asLongStream()
                        .toArray(), f.imageId());
                assertArrayEquals(ref.toFloatArray(), f.values(), 1e-6f, f.imageId());
                assertEquals(model.cropStrategy().name(), f.frontEnd());
            }
        }
        Feature first = features.get(0);
        assertEquals(32, first.dim());
        float[][] matrix = first.matrix();
        assertEquals(first.tokens(), matrix.length);
        assertEquals(first.values()[first.dim() + 5], matrix[1][5]);

        Table t = FeatureFiles.table(features);
        assertEquals(features.stream().mapToInt(Feature::tokens).sum(), t.rowCount());
        assertEquals(3 + 32, t.columnCount());
        assertEquals("im1.png", t.stringColumn("image_id").get(first.tokens()));
        assertEquals(features.get(1).values()[7], t.floatColumn("v7").get(first.tokens()), 0f);

    }

    @Test
    void aBadImageIsAnErrorNamingItAndNothingIsLeftBehind() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad-images"));
        Files.copy(images.resolve("im0.png"), bad.resolve("a.png"));
        Files.writeString(bad.resolve("b.png"), "not a png");
        Path out = dir.resolve("bad.parquet");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> FeatureExtractor.builder()
                .setSpark(Tiny.spark()).setModelDir(modelDir).optPartitions(2).build().run(bad, out));
        assertTrue(e.getMessage().contains(bad.resolve("b.png").toString()) && e.getMessage().contains("executor"),
                e.getMessage());
        assertFalse(Files.exists(out), "no partial output");
        Path existing = Files.createDirectories(dir.resolve("existing.parquet"));
        InvalidInputException ex = assertThrows(InvalidInputException.class, () -> FeatureExtractor.builder()
                .setSpark(Tiny.spark()).setModelDir(modelDir).build().run(images, existing));
        assertTrue(ex.getMessage().startsWith(existing + ": exists"), ex.getMessage());
    }
}
