package org.infllava.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.infllava.crop.EncoderSpec;
import org.infllava.crop.FrontEndBudget;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.ClipVisionEncoder;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.LlamaConfig;
import org.infllava.model.LlamaDecoder;
import org.infllava.model.MlpProjector;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract for every registered visual front-end ({@link VisualFrontEnds}), on a tiny CLIP tower (d = 32,
 * 56-px views of 14-px patches, g = 4) and a tiny LLaMA (width 48, so the projector's input width is the assembler's
 * and not the LLM's), for sources of several aspect ratios:
 * <ol>
 *   <li>the views fit the encoder (S × S);</li>
 *   <li>the visual tokens the model hands the LLM number what the crop side's {@code CropStrategy.budget} predicts,
 *       with {@code channelMultiplier·d} channels before the projector, and what the assembler's
 *       {@code tokenCount} says;</li>
 *   <li>the inverse round trip: features that are a known map cut the way the strategy cuts come back as that map
 *       (tiles → recombined map for anyres and S2, a pixel-unshuffle for InternVL, the concatenation for the rest);</li>
 *   <li>gradients reach exactly the views the assembler claims to use: the gradient of a random projection of the
 *       tokens w.r.t. each view's features is non-zero iff the view is in {@code usedViews}.</li>
 * </ol>
 */
class FrontEndContractTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    private static final int S = 56;
    private static final int G = 4;
    private static final int D = 32;
    private static final int D_LLM = 48;
    private static final ClipVisionConfig TOWER = new ClipVisionConfig(D, 64, 1, 2, 3, S, 14, "quick_gelu", 1e-5f);
    private static final LlamaConfig LLM = new LlamaConfig(40, D_LLM, 64, 1, 4, 2, 1e-6f, 10000, null, 256, false);
    private static final EncoderSpec SPEC = new EncoderSpec("tiny", S, 14, D, 1, 64, true);
    /** Square, wide, tall and extreme sources (relative to S = 56). */
    private static final int[][] SIZES = {{112, 112}, {200, 90}, {60, 170}, {336, 50}};

    static List<String> frontEnds() {
        return VisualFrontEnds.names();
    }

    private static BufferedImage image(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | r.nextInt(256));
            }
        }
        return img;
    }

    private static VisualFrontEnd frontEnd(String name, NDManager m) {
        VisualFrontEnd fe = VisualFrontEnds.create(name, S, D, D_LLM);
        fe.assembler().initialize(m, 5);
        return fe;
    }

    @ParameterizedTest
    @MethodSource("frontEnds")
    void viewsFitAndTokensMatchTheBudget(String name) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            VisualFrontEnd fe = frontEnd(name, m);
            int din = fe.assembler().outputChannels(D);
            ClipVisionEncoder vision = new ClipVisionEncoder(TOWER);
            vision.initialize(m, 1);
            LlamaDecoder llm = new LlamaDecoder(LLM);
            llm.initialize(m, 2);
            MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, din, D_LLM);
            projector.initialize(m, 3);
            InfLlavaModel model = InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector)
                    .optFrontEnd(fe).build();
            ParameterStore ps = new ParameterStore(m, false);
            for (int[] wh : SIZES) {
                String what = name + " on " + wh[0] + "x" + wh[1];
                ViewLayout layout = fe.strategy().layout(wh[0], wh[1]);
                assertEquals(S, layout.viewWidth(), what);
                assertEquals(S, layout.viewHeight(), what);
                FrontEndBudget budget = fe.strategy().budget(layout, SPEC);
                BufferedImage img = image(wh[0], wh[1], wh[0]);
                NDArray features = model.visualFeatures(ps, m, img, false); // (1, T_f, d')
                NDArray tokens = model.visualTokens(ps, m, img, false); // (1, T, d_llm)
                assertEquals(budget.channelMultiplier() * D, features.getShape().get(2), what + ": channels");
                assertEquals(budget.visualTokens(), tokens.getShape().get(1), what + ": visual tokens");
                assertEquals(budget.visualTokens(), fe.assembler().tokenCount(layout, G), what + ": tokenCount");
                assertEquals(fe.assembler().featureCount(layout, G), features.getShape().get(1), what + ": features");
                assertEquals(D_LLM, tokens.getShape().get(2), what);
                assertTrue(budget.encoderPasses() == layout.count(), what + ": passes");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("frontEnds")
    void knownMapsComeBackFromTheirViews(String name) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            VisualFrontEnd fe = frontEnd(name, m);
            ParameterStore ps = new ParameterStore(m, false);
            for (int[] wh : SIZES) {
                String what = name + " on " + wh[0] + "x" + wh[1];
                ViewLayout layout = fe.strategy().layout(wh[0], wh[1]);
                int v = layout.count();
                // Feature value = 1000·view + 10·row + col of the patch, in every channel.
                float[] f = new float[v * G * G * D];
                for (int i = 0; i < v; i++) {
                    for (int p = 0; p < G * G; p++) {
                        java.util.Arrays.fill(f, (i * G * G + p) * D, (i * G * G + p + 1) * D,
                                1000f * i + 10f * (p / G) + (p % G));
                    }
                }
                NDArray features = m.create(f, new Shape(v, G * G, D)); // (V, g², d)
                float[] out = fe.assembler().assemble(ps, features, layout, false).toFloatArray();
                TokenAssembler a = fe.assembler();
                if (a instanceof AnyResUnpadAssembler) {
                    // Base first, then map cell (y, x) = tile (y / g, x / g)'s patch (y % g, x % g), unpadded.
                    int cols = layout.gridCols(ViewRole.TILE);
                    AnyResUnpadAssembler.Unpadded u = AnyResUnpadAssembler.unpadded(layout, G);
                    int base = layout.indicesOf(ViewRole.BASE).get(0);
                    assertEquals(1000f * base, out[0], what);
                    int t = G * G;
                    for (int y = u.top(); y < u.bottom(); y++) {
                        for (int x = u.left(); x < u.right(); x++, t++) {
                            int view = viewAt(layout, ViewRole.TILE, y / G, x / G);
                            assertEquals(1000f * view + 10f * (y % G) + (x % G), out[t * D], what + " (" + y + ", " + x
                                    + ")");
                        }
                    }
                } else if (a instanceof S2Assembler s2) {
                    // Token (y, x), channels of scale s: the mean over the s×s block of the (s·g)² map.
                    int k = 0;
                    for (int s : s2.scales()) {
                        for (int y = 0; y < G; y++) {
                            for (int x = 0; x < G; x++) {
                                double sum = 0;
                                for (int yy = y * s; yy < (y + 1) * s; yy++) {
                                    for (int xx = x * s; xx < (x + 1) * s; xx++) {
                                        int view = viewAt(layout, ViewRole.scale(s), yy / G, xx / G);
                                        sum += 1000.0 * view + 10.0 * (yy % G) + (xx % G);
                                    }
                                }
                                float got = out[(y * G + x) * s2.scales().size() * D + k * D];
                                assertEquals(sum / (s * s), got, 1e-3, what + " scale " + s);
                            }
                        }
                        k++;
                    }
                } else if (a instanceof PixelShuffleAssembler) {
                    // Token (view i, y, x), block q = 2·dy + dx: patch (2y + dy, 2x + dx) of view i.
                    int t = 0;
                    for (int i = 0; i < v; i++) {
                        for (int y = 0; y < G / 2; y++) {
                            for (int x = 0; x < G / 2; x++, t++) {
                                for (int q = 0; q < 4; q++) {
                                    float want = 1000f * i + 10f * (2 * y + q / 2) + (2 * x + q % 2);
                                    assertEquals(want, out[t * 4 * D + q * D], what);
                                }
                            }
                        }
                    }
                } else if (a instanceof ConcatAssembler || a instanceof IdentityAssembler) {
                    assertArrayEquals(f, out, what);
                } else {
                    // The DEM mixes views with learned weights: no exact inverse; its recombination (eq. 5-6) is the
                    // crop side's GridMaps, whose round trip toolkit-crop tests. Here: one map of g² tokens.
                    assertEquals(fe.assembler().featureCount(layout, G) * D, out.length, what);
                }
            }
        }
    }

    private static int viewAt(ViewLayout layout, ViewRole role, int row, int col) {
        for (int i : layout.indicesOf(role)) {
            if (layout.slots().get(i).row() == row && layout.slots().get(i).col() == col) {
                return i;
            }
        }
        throw new AssertionError("no " + role + " view at (" + row + ", " + col + ")");
    }

    @ParameterizedTest
    @MethodSource("frontEnds")
    void gradientsReachExactlyTheUsedViews(String name) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            VisualFrontEnd fe = frontEnd(name, m);
            ParameterStore ps = new ParameterStore(m, false);
            for (int[] wh : SIZES) {
                String what = name + " on " + wh[0] + "x" + wh[1];
                ViewLayout layout = fe.strategy().layout(wh[0], wh[1]);
                int v = layout.count();
                ai.djl.engine.Engine.getInstance().setRandomSeed(3);
                NDArray features = m.randomNormal(new Shape(v, G * G, D)); // (V, g², d)
                features.setRequiresGradient(true);
                try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray out = fe.assembler().assemble(ps, features, layout, true); // (1, T_f, d')
                    NDArray w = m.randomNormal(out.getShape());
                    gc.backward(out.mul(w).sum());
                }
                NDArray grad = features.getGradient().abs().sum(new int[] {2}).sum(new int[] {1}); // (V)
                float[] perView = grad.toFloatArray();
                List<Integer> used = fe.assembler().usedViews(layout);
                List<Integer> reached = new ArrayList<>();
                for (int i = 0; i < v; i++) {
                    if (perView[i] > 0) {
                        reached.add(i);
                    }
                }
                assertEquals(used, reached, what + ": views with a gradient");
            }
        }
    }

    /**
     * A model with any front-end saves as a model directory that records it by registry names and loads back with the
     * same visual tokens, bit for bit (the learned {@code image_newline} and DEM weights included).
     */
    @ParameterizedTest
    @MethodSource("frontEnds")
    void modelDirectoryRecordsTheFrontEnd(String name, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            VisualFrontEnd fe = frontEnd(name, m);
            ClipVisionEncoder vision = new ClipVisionEncoder(TOWER);
            vision.initialize(m, 1);
            LlamaDecoder llm = new LlamaDecoder(LLM);
            llm.initialize(m, 2);
            MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, fe.assembler().outputChannels(D),
                    D_LLM);
            projector.initialize(m, 3);
            InfLlavaModel a = InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector)
                    .optFrontEnd(fe).build();
            List<String> words = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
            for (int i = 0; i < 36; i++) {
                words.add("w" + i);
            }
            java.nio.file.Path tok = dir.resolve("tokenizer.json");
            java.nio.file.Files.writeString(tok, org.infllava.data.SynthCaptions.wordLevelTokenizer(words));
            a.save(dir.resolve("model"), tok, "plain");
            var fej = org.infllava.model.ModelDirectory.readConfig(dir.resolve("model")).getAsJsonObject("infllava")
                    .getAsJsonObject("front_end");
            assertEquals(name, fej.get("name").getAsString());
            assertEquals(VisualFrontEnds.recipe(name).strategy(), fej.get("strategy").getAsString());
            assertEquals(VisualFrontEnds.recipe(name).assembler(), fej.get("assembler").getAsString());
            InfLlavaModel b = InfLlavaModel.fromPretrained(dir.resolve("model"), null, m);
            assertEquals(name, b.frontEnd().name());
            ParameterStore ps = new ParameterStore(m, false);
            BufferedImage img = image(200, 90, 4);
            assertArrayEquals(a.visualTokens(ps, m, img, false).toFloatArray(),
                    b.visualTokens(ps, m, img, false).toFloatArray(), name);
        }
    }
}
