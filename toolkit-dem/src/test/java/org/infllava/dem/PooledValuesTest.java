package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.infllava.crop.Perspective;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DEM's cheaper orders against the plain one: pooling before the value projection and the fusion
 * ({@link DualPerspectiveEnhancement#pooledValues}) and one folded {@code W_qᵀ W_k} matrix for the scores
 * ({@link WindowCrossAttention#factoredScores}). Each configuration is run with both switched off (the order the
 * equations are written in) and with each on: same outputs (1e-5) and the same gradient for every parameter and for
 * both input maps (1e-4; the orders round differently).
 */
class PooledValuesTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("paper", (Supplier<DualPerspectiveEnhancement>) () -> DemPresets.paper(32, 3, 2), true),
                Arguments.of("paper, fusion add", fusion(StandardFusion.ADD), true),
                Arguments.of("paper, fusion weighted-add", fusion(StandardFusion.WEIGHTED_ADD), true),
                Arguments.of("paper, global only", variant(StandardVariant.GLOBAL_ONLY), true),
                Arguments.of("paper, local only", variant(StandardVariant.LOCAL_ONLY), true),
                Arguments.of("paper, section-1 pairing", (Supplier<DualPerspectiveEnhancement>) () ->
                        DemPresets.paperBuilder(32, 3, 2).optPairing(ReCropPairing.SECTION_1).build(), true),
                Arguments.of("one head, bias, out projection, pre-LN, raw-query residual",
                        (Supplier<DualPerspectiveEnhancement>) () -> DemPresets.paperBuilder(32, 3, 2).optBias(true)
                                .optOutProjection(true).optNorm(WindowCrossAttention.Norm.PRE_LN)
                                .optResidual(WindowCrossAttention.Residual.RAW_QUERY).optSharedAttention(true)
                                .build(), true),
                Arguments.of("one head, projected-query residual",
                        (Supplier<DualPerspectiveEnhancement>) () -> DemPresets.paperBuilder(32, 3, 2)
                                .optResidual(WindowCrossAttention.Residual.PROJECTED_QUERY).build(), true),
                // Not eligible for pooling first (a non-linear fusion; four heads): still equal, through the plain order.
                Arguments.of("paper, fusion multiply", fusion(StandardFusion.MULTIPLY), false),
                Arguments.of("paper, 4 heads", (Supplier<DualPerspectiveEnhancement>) () ->
                        DemPresets.paperBuilder(32, 3, 2).optHeads(4).build(), false));
    }

    private static Supplier<DualPerspectiveEnhancement> fusion(StandardFusion f) {
        return () -> DemPresets.paperBuilder(32, 3, 2).optFusion(f).build();
    }

    private static Supplier<DualPerspectiveEnhancement> variant(StandardVariant v) {
        return () -> DemPresets.paperBuilder(32, 3, 2).optVariant(v).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cheaperOrdersEqualThePlainOrder(String name, Supplier<DualPerspectiveEnhancement> factory, boolean eligible) {
        WindowCrossAttention.factoredScoresMinChannels = 1; // fold at d = 32 too
        try (NDManager m = PYTORCH.get().newSubManager()) {
            DualPerspectiveEnhancement dem = factory.get();
            dem.initialize(m, 5);
            assertEquals(eligible, dem.poolsBeforeValues(), name + ": takes the pooled order");
            Engine.getInstance().setRandomSeed(17);
            // 3 columns x 2 rows of 6x6-token windows: 36 tokens per window, 216 per map (>= d: scores fold).
            NDArray local = m.randomNormal(new Shape(2, 12, 18, 32));
            NDArray global = m.randomNormal(new Shape(2, 12, 18, 32));
            NDArray low = m.randomNormal(new Shape(2, 6, 6, 32));
            List<float[]> plain = run(dem, m, local, global, low, false, false);
            for (boolean[] on : new boolean[][] {{true, false}, {false, true}, {true, true}}) {
                List<float[]> cheap = run(dem, m, local, global, low, on[0], on[1]);
                String what = name + " (pooled values " + on[0] + ", factored scores " + on[1] + ")";
                assertEquals(plain.size(), cheap.size(), what);
                DemTesting.assertClose(plain.get(0), cheap.get(0), 1e-5, 1e-6, what + ": output");
                for (int i = 1; i < plain.size(); i++) {
                    DemTesting.assertClose(plain.get(i), cheap.get(i), 1e-4, 1e-5, what + ": gradient " + i);
                }
            }
        } finally {
            DualPerspectiveEnhancement.pooledValues = true;
            WindowCrossAttention.factoredScores = true;
            WindowCrossAttention.factoredScoresMinChannels = 128;
        }
    }

    /** Which modules take the pooled order, and the refusal of a call that does not qualify. */
    @Test
    void eligibility() {
        WindowCrossAttention one = WindowCrossAttention.builder().setChannels(8).build();
        WindowCrossAttention heads = WindowCrossAttention.builder().setChannels(8).optHeads(2).build();
        WindowCrossAttention postLn = WindowCrossAttention.builder().setChannels(8)
                .optNorm(WindowCrossAttention.Norm.POST_LN).build();
        assertTrue(one.poolsBeforeValues());
        assertFalse(heads.poolsBeforeValues());
        assertFalse(postLn.poolsBeforeValues());
        assertTrue(StandardPooling.AVERAGE.averaging());
        assertTrue(StandardPooling.BILINEAR_REFERENCE.averaging());
        assertFalse(StandardFusion.MULTIPLY.create(8).linear());
        assertFalse(StandardFusion.REFERENCE_BOTTLENECK.create(16).linear());
        assertTrue(StandardFusion.LINEAR_CONCAT.create(8).linear());
        try (NDManager m = PYTORCH.get().newSubManager()) {
            heads.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 4, 4, 8), new Shape(1, 4, 4, 8));
            NDArray x = m.zeros(new Shape(1, 4, 4, 8));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> heads.attendPooled(
                    new ParameterStore(m, false), x, x, 2, 2, Perspective.LOCAL, StandardPooling.AVERAGE, false));
            assertTrue(e.getMessage().contains("heads=2"), e.getMessage());
        }
    }

    /** {@link DemTesting#outputAndGradients} with the two orders switched as given. */
    private static List<float[]> run(DualPerspectiveEnhancement dem, NDManager m, NDArray local, NDArray global,
            NDArray low, boolean pooledValues, boolean factoredScores) {
        DualPerspectiveEnhancement.pooledValues = pooledValues;
        WindowCrossAttention.factoredScores = factoredScores;
        return DemTesting.outputAndGradients(dem, m, local, global, low);
    }
}
