package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.infllava.crop.CropGrid;
import org.infllava.crop.GridMaps;
import org.infllava.crop.GridMaps.Layout;
import org.infllava.crop.Perspective;
import org.junit.jupiter.api.Test;

class WindowCrossAttentionTest {

    /** Taking heads in groups (a memory budget) must not change the result: 1-head groups against all 8 at once. */
    @Test
    void headGroupingDoesNotChangeTheResult() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            WindowCrossAttention all = WindowCrossAttention.builder().setChannels(32).optHeads(8).optBias(true)
                    .optOutProjection(true).optResidual(WindowCrossAttention.Residual.RAW_QUERY)
                    .optNorm(WindowCrossAttention.Norm.POST_LN).build();
            WindowCrossAttention grouped = WindowCrossAttention.builder().setChannels(32).optHeads(8).optBias(true)
                    .optOutProjection(true).optResidual(WindowCrossAttention.Residual.RAW_QUERY)
                    .optNorm(WindowCrossAttention.Norm.POST_LN).optMaxScoreBytes(1).build();
            Shape s = new Shape(2, 6, 9, 32);
            all.initialize(m, DataType.FLOAT32, s, s);
            grouped.initialize(m, DataType.FLOAT32, s, s);
            all.namedParameters().forEach((k, p) -> grouped.namedParameters().get(k).getArray().set(
                    java.nio.FloatBuffer.wrap(p.getArray().toFloatArray())));
            NDArray q = m.randomNormal(s);
            NDArray kv = m.randomNormal(s);
            ParameterStore ps = new ParameterStore(m, false);
            for (Perspective p : Perspective.values()) {
                float[] a = all.attend(ps, q, kv, 3, 2, p, false).toFloatArray();
                float[] b = grouped.attend(ps, q, kv, 3, 2, p, false).toFloatArray();
                DemTesting.assertClose(a, b, 1e-5, 1e-6, p.name());
            }
            assertEquals(s, all.attend(ps, q, kv, 3, 2, Perspective.LOCAL, false).getShape());
        }
    }
    /**
     * attentionWeights returns the A of attend: with W_v = I and nothing after the attention (no out-projection,
     * residual or norm), attend's window k is exactly A_k · (key/value window k); rows of A sum to 1.
     */
    @Test
    void attentionWeightsAreTheOnesAttendUses() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            int d = 8;
            WindowCrossAttention a = WindowCrossAttention.builder().setChannels(d).optHeads(1).build();
            Shape s = new Shape(1, 4, 6, d); // 3x2 windows of 2x2 tokens
            a.initialize(m, DataType.FLOAT32, s, s);
            a.namedParameters().get("linears.2.weight").getArray().set(
                    java.nio.FloatBuffer.wrap(m.eye(d).toFloatArray()));
            NDArray q = m.randomNormal(s);
            NDArray kv = m.randomNormal(s);
            ParameterStore ps = new ParameterStore(m, false);
            CropGrid grid = CropGrid.of(3, 2, 2, 2);
            for (Perspective p : Perspective.values()) {
                NDArray w = a.attentionWeights(ps, q, kv, 3, 2, p);
                assertEquals(new Shape(6, 1, 4, 4), w.getShape()); // (B·N, heads, T, T) with N = 6, T = 2·2
                DemTesting.assertClose(m.ones(new Shape(6, 1, 4)).toFloatArray(), w.sum(new int[] {3}).toFloatArray(),
                        1e-5, 1e-6, "rows sum to 1, " + p);
                NDArray kvWindows = GridMaps.crop(kv, grid, p, Layout.CHANNELS_LAST).reshape(6, 1, 4, d); // (N, 1, T, d)
                NDArray expected = w.matMul(kvWindows).reshape(6, 2, 2, d); // (N, h, w, d)
                NDArray got = GridMaps.crop(a.attend(ps, q, kv, 3, 2, p, false), grid, p, Layout.CHANNELS_LAST);
                DemTesting.assertClose(expected.toFloatArray(), got.toFloatArray(), 1e-5, 1e-6, p.name());
                // not uniform: random maps give different weights to different keys
                assertTrue(w.max().getFloat() > w.min().getFloat() + 1e-3, p.name());
            }
        }
    }
}
