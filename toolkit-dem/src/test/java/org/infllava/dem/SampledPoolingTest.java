package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DEM's sampled path (only the positions a point-sampling pooling reads are computed) against the full path
 * (whole enhanced maps, then the pooling): same outputs and the same gradient for every parameter and input.
 */
class SampledPoolingTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    /**
     * Bilinear resizing by an odd factor f puts output o at source {@code f·(o + ½) − ½ = f·o + (f − 1)/2}, an
     * integer: one weight of exactly 1 there (f = 3: o = 0 → 1, o = 1 → 4; f = 5: 0 → 2, 1 → 7). Even factors
     * blend two positions and report no offsets.
     */
    @Test
    void oddBilinearFactorsPointSample() {
        assertArrayEquals(new int[] {1, 1}, StandardPooling.BILINEAR_REFERENCE.pointSampleOffsets(3, 3));
        assertArrayEquals(new int[] {2, 1}, StandardPooling.BILINEAR_REFERENCE.pointSampleOffsets(3, 5));
        assertNull(StandardPooling.BILINEAR_REFERENCE.pointSampleOffsets(2, 3));
        assertNull(StandardPooling.AVERAGE.pointSampleOffsets(3, 3));
        for (int f : new int[] {3, 5}) {
            float[] m = StandardPooling.bilinearMatrix(4 * f, 4); // (4, 4f)
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 4 * f; i++) {
                    assertEquals(i == f * o + (f - 1) / 2 ? 1f : 0f, m[o * 4 * f + i], "factor " + f + " o " + o + " i " + i);
                }
            }
        }
    }

    /**
     * REFERENCE preset (shared 4-head attention, bias, out projection, raw-query residual, post-LN, bottleneck fusion,
     * bilinear pooling, mean with the low-res map) on a 3×3 grid. Tokens per window 6: the local-as-query windows'
     * sampled queries form 2×2 blocks (fast path); 4: 4 is not a multiple of 3 (fallback through the full map).
     * Outputs agree to 1e-5 and gradients to 1e-4 (different matmul shapes round differently).
     */
    @ParameterizedTest
    @ValueSource(ints = {6, 4})
    void referenceSampledEqualsFullOutputsAndGradients(int tokens) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            DualPerspectiveEnhancement dem = DemPresets.reference(32, 3, 3, 4);
            dem.initialize(m, 3);
            Engine.getInstance().setRandomSeed(11);
            int side = 3 * tokens;
            NDArray local = m.randomNormal(new Shape(2, side, side, 32));
            NDArray global = m.randomNormal(new Shape(2, side, side, 32));
            NDArray low = m.randomNormal(new Shape(2, tokens, tokens, 32));
            List<float[]> sampled = DemTesting.outputAndGradients(dem, m, local, global, low);
            List<float[]> full;
            DualPerspectiveEnhancement.sampledPooling = false;
            try {
                full = DemTesting.outputAndGradients(dem, m, local, global, low);
            } finally {
                DualPerspectiveEnhancement.sampledPooling = true;
            }
            assertEquals(full.size(), sampled.size());
            DemTesting.assertClose(full.get(0), sampled.get(0), 1e-5, 1e-6, "output");
            for (int i = 1; i < full.size(); i++) {
                DemTesting.assertClose(full.get(i), sampled.get(i), 1e-4, 1e-5, "gradient " + i);
            }
            float[] g = sampled.get(1);
            assertTrue(java.util.stream.IntStream.range(0, g.length).anyMatch(j -> g[j] != 0), "a gradient is zero");
        }
    }

    /** The one-direction variants take the sampled path too and agree with the full one. */
    @Test
    void oneDirectionVariantsAgree() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            for (StandardVariant v : new StandardVariant[] {StandardVariant.GLOBAL_ONLY, StandardVariant.LOCAL_ONLY,
                StandardVariant.ADD_NO_DEM}) {
                DualPerspectiveEnhancement dem = DemPresets.referenceBuilder(32, 3, 3, 4).optVariant(v).build();
                dem.initialize(m, 4);
                NDArray local = m.randomNormal(new Shape(1, 18, 18, 32));
                NDArray global = m.randomNormal(new Shape(1, 18, 18, 32));
                ParameterStore ps = new ParameterStore(m, false);
                float[] sampled = dem.forward(ps, local, global, null, false).toFloatArray();
                DualPerspectiveEnhancement.sampledPooling = false;
                try {
                    DemTesting.assertClose(dem.forward(ps, local, global, null, false).toFloatArray(), sampled, 1e-5,
                            1e-6, v.name());
                } finally {
                    DualPerspectiveEnhancement.sampledPooling = true;
                }
            }
        }
    }
}
