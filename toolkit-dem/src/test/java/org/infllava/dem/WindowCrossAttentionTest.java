package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
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
}
