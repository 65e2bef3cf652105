package org.infllava.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The engine-call helpers of {@link NamedBlock}: slicing by split and the shared scalar constants. */
class NamedBlockTest {

    /** x[a, b, c, d] = 120a + 24b + 4c + d over (2, 5, 6, 4): every element names its own position. */
    private static NDArray positions(NDManager m) {
        return m.arange(240f).reshape(2, 5, 6, 4);
    }

    /**
     * Every index form gives the values and shape of the engine's own indexing ({@link NDArray#get(NDIndex)}, a
     * separate implementation): one or two restricted axes at the start, middle and end, integers (squeezed),
     * negative bounds, an ellipsis, and the forms that fall back (a step, an empty range, three restricted axes).
     */
    @ParameterizedTest
    @ValueSource(strings = {"0", "1", ":, 1:", ":, :3", ":, 1:4", ":, 2", "1, 2:5", "..., 1:3", ":, -2:", "-1",
        ":, :, 5", ":, :-1", "1, :, 2:4", "0, 1, 2", ":, ::2", ":, 3:3", "0:1", ":, :, :, 0"})
    void sliceEqualsTheEnginesIndexing(String index) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = positions(m);
            NDArray want = x.get(index);
            NDArray got = NamedBlock.slice(x, new NDIndex(index));
            assertEquals(want.getShape(), got.getShape(), index);
            assertArrayEquals(want.toFloatArray(), got.toFloatArray(), index);
        }
    }

    /** x[1, 2:5]: shape (3, 6, 4), first element 120 + 2·24 = 168, last 120 + 4·24 + 5·4 + 3 = 239. */
    @Test
    void sliceByHand() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] v = NamedBlock.slice(positions(m), new NDIndex("1, 2:5")).toFloatArray();
            assertEquals(3 * 6 * 4, v.length);
            assertEquals(168f, v[0]);
            assertEquals(239f, v[v.length - 1]);
        }
    }

    /** Gradients flow through a slice: d/dx sum(x[:, 1:4]) is one inside the range and zero outside. */
    @Test
    void gradientFlowsThroughTheSlice() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.zeros(new Shape(2, 5));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(NamedBlock.slice(x, new NDIndex(":, 1:4")).sum());
            }
            assertArrayEquals(new float[] {0, 1, 1, 1, 0, 0, 1, 1, 1, 0}, x.getGradient().toFloatArray());
        }
    }

    /**
     * A scalar constant is made once per value, type and device and shared; it outlives the scope and the manager
     * of the array that first asked for it, so a later use after those closed still reads its value.
     */
    @Test
    void scalarsAreSharedAndOutliveTheirFirstScope() {
        NDArray first;
        try (NDManager m = NDManager.newBaseManager("PyTorch"); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = m.ones(new Shape(3));
            first = NamedBlock.scalar(x, 0.375f);
            assertSame(first, NamedBlock.scalar(x, 0.375f));
            assertNotSame(first, NamedBlock.scalar(x, 0.5f));
            assertNotSame(first, NamedBlock.scalar(x.toType(DataType.FLOAT64, false), 0.375f));
            assertEquals(DataType.FLOAT64, NamedBlock.scalar(x.toType(DataType.FLOAT64, false), 0.375f).getDataType());
        }
        assertFalse(first.isReleased());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.ones(new Shape(2));
            assertSame(first, NamedBlock.scalar(x, 0.375f));
            assertArrayEquals(new float[] {0.375f, 0.375f}, x.mul(NamedBlock.scalar(x, 0.375f)).toFloatArray());
            assertEquals(new Shape(), first.getShape());
        }
    }
}
