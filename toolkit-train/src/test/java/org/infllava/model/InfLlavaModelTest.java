package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.CropGrid;
import org.infllava.crop.GridMaps;
import org.infllava.crop.Perspective;
import org.infllava.dem.DemWeights;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled model on the tiny checkpoints: a published-style directory, wiring, placeholders, baselines. */
class InfLlavaModelTest {

    private static final Path GOLDEN = ModelTesting.GOLDEN;
    private static NDManager manager;

    @TempDir
    static Path dir;

    private static Path modelDir;
    private static DualPerspectiveEnhancement savedDem;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager("PyTorch");
        modelDir = dir.resolve("inf-llava-tiny");
        savedDem = TinyModels.writePublishedDir(GOLDEN, modelDir, manager, 11);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static BufferedImage image() {
        return ImageFiles.read(GOLDEN.resolve("clip_image.png"));
    }

    /**
     * The model's visual tokens against the same computation spelled out another way: the crop as a tensor index map
     * on the normalised padded canvas, the encoder's hidden state 2 (= −2 of 4), recombination, the DEM on maps, the
     * projector.
     */
    @Test
    void publishedDirectoryLoadsAndVisualTokensFollowThePipeline() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray tokens = model.visualTokens(ps, m, image(), false);
            assertEquals(new Shape(1, 49, 64), tokens.getShape());
            assertArrayEquals(DemWeights.export(savedDem).get("spatial_embed.ffn_crop.0.weight").data(),
                    DemWeights.export(model.dem()).get("spatial_embed.ffn_crop.0.weight").data());

            ClipPreprocessor pre = ClipPreprocessor.clip();
            BufferedImage canvas = ClipPreprocessor.resize(pre.padToSquare(ClipPreprocessor.toRgb(image())), 84, 84);
            float[] x = pre.normalize(canvas);
            NDArray pixels = m.create(x, new Shape(1, 3, 84, 84)); // (1, 3, 84, 84)
            CropGrid grid = CropGrid.of(3, 3, 28, 28);
            NDArray localPix = GridMaps.crop(pixels, grid, Perspective.LOCAL, GridMaps.Layout.CHANNELS_FIRST);
            NDArray globalPix = GridMaps.crop(pixels, grid, Perspective.GLOBAL, GridMaps.Layout.CHANNELS_FIRST);
            NDArray lowPix = globalPix.get("4:5"); // reference low-res view at factor 3 = global sub-image #4
            ClipVisionEncoder enc = model.vision();
            NDArray lf = enc.hiddenStates(ps, localPix, 2, false).get(2).get(":, 1:, :").reshape(9, 7, 7, 32);
            NDArray gf = enc.hiddenStates(ps, globalPix, 2, false).get(2).get(":, 1:, :").reshape(9, 7, 7, 32);
            NDArray low = enc.hiddenStates(ps, lowPix, 2, false).get(2).get(":, 1:, :").reshape(1, 7, 7, 32);
            CropGrid tokenGrid = CropGrid.of(3, 3, 7, 7);
            NDArray fused = model.dem().forward(ps,
                    GridMaps.recombine(lf, tokenGrid, Perspective.LOCAL, GridMaps.Layout.CHANNELS_LAST),
                    GridMaps.recombine(gf, tokenGrid, Perspective.GLOBAL, GridMaps.Layout.CHANNELS_LAST), low, false);
            NDArray expected = model.projector().project(ps, fused.reshape(1, 49, 32), false);
            ModelTesting.assertClose(expected.toFloatArray(), tokens.toFloatArray(), 1e-5, 1e-6, "visual tokens");
        }
    }

    @Test
    void placeholdersBecomeVisualTokensForOneTwoOrNoImages() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            ParameterStore ps = new ParameterStore(m, false);
            long img = ChatTemplate.IMAGE_TOKEN;
            NDArray one = model.embed(ps, m, new long[] {1, 5, img, 7, 8}, List.of(image()), false);
            assertEquals(new Shape(1, 4 + 49, 64), one.getShape());
            NDArray text = model.llm().embed(ps, m.create(new long[] {1, 5, 7, 8}, new Shape(1, 4)), false);
            assertArrayEquals(text.get(":, :2, :").toFloatArray(), one.get(":, :2, :").toFloatArray());
            assertArrayEquals(text.get(":, 2:, :").toFloatArray(), one.get(":, 51:, :").toFloatArray());
            assertArrayEquals(model.visualTokens(ps, m, image(), false).toFloatArray(),
                    one.get(":, 2:51, :").toFloatArray(), 1e-6f);
            assertEquals(new Shape(1, 3 + 98, 64), model.embed(ps, m, new long[] {img, 5, img, 7, 8},
                    List.of(image(), image()), false).getShape().add(0).slice(0, 3));
            assertEquals(new Shape(1, 3, 64), model.embed(ps, m, new long[] {1, 5, 7}, List.of(), false).getShape());
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> model.embed(ps, m, new long[] {img, img}, List.of(image()), false));
            assertTrue(e.getMessage().contains("2 <image> placeholder(s) but 1 image(s)"), e.getMessage());
        }
    }

    /**
     * Several images' views through the encoder in one batch give each image the tokens it gets alone (two different
     * images, one of them twice, in order), and {@code embedWith} on them equals {@code embed}.
     */
    @Test
    void batchedVisualTokensEqualOneImageAtATime() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            ParameterStore ps = new ParameterStore(m, false);
            BufferedImage other = ClipPreprocessor.resize(ClipPreprocessor.toRgb(image()), 60, 45); // another size
            List<BufferedImage> images = List.of(image(), other, image());
            List<NDArray> batched = model.visualTokens(ps, m, images, false);
            assertEquals(3, batched.size());
            for (int i = 0; i < 3; i++) {
                NDArray alone = model.visualTokens(ps, m, images.get(i), false);
                assertEquals(alone.getShape(), batched.get(i).getShape());
                ModelTesting.assertClose(alone.toFloatArray(), batched.get(i).toFloatArray(), 1e-5, 1e-6, "image " + i);
            }
            float[] a = batched.get(0).toFloatArray();
            float[] b = batched.get(1).toFloatArray();
            assertTrue(java.util.stream.IntStream.range(0, a.length).anyMatch(j -> Math.abs(a[j] - b[j]) > 1e-3),
                    "two different images give different tokens");
            long img = ChatTemplate.IMAGE_TOKEN;
            long[] ids = {1, img, 5, img, 7};
            ModelTesting.assertClose(model.embed(ps, m, ids, List.of(image(), other), false).toFloatArray(),
                    model.embedWith(ps, m, ids, batched.subList(0, 2), false).toFloatArray(), 1e-5, 1e-6, "embedWith");
        }
    }

    /**
     * The feature cache: in training mode an image is encoded once (the second call finds it, by identity), the
     * tokens equal the uncached model's, an equal but distinct image object is not a hit, and scoring
     * ({@code training == false}) adds nothing.
     */
    @Test
    void featureCacheEncodesEachTrainingImageOnceAndChangesNothing() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel plain = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            InfLlavaModel cached = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            cached.enableFeatureCache(m);
            ParameterStore ps = new ParameterStore(m, false);
            BufferedImage a = image();
            BufferedImage b = image(); // equal pixels, another object
            float[] expected = plain.visualTokens(ps, m, a, false).toFloatArray();
            assertEquals(0, cached.cachedImages());
            cached.visualTokens(ps, m, List.of(b), false);
            assertEquals(0, cached.cachedImages(), "scoring caches nothing");
            List<NDArray> first = cached.visualTokens(ps, m, List.of(a, a), true);
            assertEquals(1, cached.cachedImages(), "the same image twice in one batch is kept once");
            ModelTesting.assertClose(expected, first.get(0).toFloatArray(), 1e-5, 1e-6, "first pass");
            ModelTesting.assertClose(expected, first.get(1).toFloatArray(), 1e-5, 1e-6, "same image twice");
            ModelTesting.assertClose(expected, cached.visualTokens(ps, m, List.of(a), true).get(0).toFloatArray(),
                    1e-5, 1e-6, "from the cache");
            cached.visualTokens(ps, m, List.of(b, a), true);
            assertEquals(2, cached.cachedImages(), "a distinct image object is a miss");
        }
    }

    /** LLaVA-1.5 is the same builder without a DEM: one padded 28×28 view, its patch features, the projector. */
    @Test
    void llava15BaselineIsOneLowResolutionView() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel full = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            InfLlavaModel base = InfLlavaModel.builder().setVisionEncoder(full.vision()).setLlm(full.llm())
                    .setProjector(full.projector()).build();
            ParameterStore ps = new ParameterStore(m, false);
            NDArray tokens = base.visualTokens(ps, m, image(), false);
            ClipPreprocessor pre = ClipPreprocessor.clip();
            BufferedImage view = ClipPreprocessor.resize(pre.padToSquare(ClipPreprocessor.toRgb(image())), 28, 28);
            NDArray feats = full.vision().features(ps, m.create(pre.normalize(view), new Shape(1, 3, 28, 28)), -2,
                    ClipVisionEncoder.SelectFeature.PATCH, false);
            ModelTesting.assertClose(full.projector().project(ps, feats, false).toFloatArray(), tokens.toFloatArray(),
                    1e-6, 1e-7, "LLaVA-1.5 tokens");
            assertEquals("llava-1.5", base.cropStrategy().name());
        }
    }

    @Test
    void generationIsDeterministicAndStopsAtTheLimit() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            ParameterStore ps = new ParameterStore(m, false);
            long[] prompt = {1, ChatTemplate.IMAGE_TOKEN, 20, 21};
            long[] a = model.generate(ps, m, prompt, List.of(image()), GenerationConfig.greedy(5), null);
            long[] b = model.generate(ps, m, prompt, List.of(image()), GenerationConfig.greedy(5), null);
            assertEquals(5, a.length);
            assertArrayEquals(a, b);
        }
    }

    @Test
    void builderChecksTheWidthsBetweenParts() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel full = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InfLlavaModel.builder()
                    .setVisionEncoder(full.vision()).setLlm(full.llm())
                    .setProjector(new MlpProjector(MlpProjector.Type.MLP2X_GELU, 48, 64)).build());
            assertTrue(e.getMessage().contains("projector maps 48 -> 64") && e.getMessage().contains("width 32 (vision width 32)"),
                    e.getMessage());
        }
    }
}
