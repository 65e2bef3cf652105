package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.infllava.crop.GridMaps.Layout;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tensor path against the scalar index maps (PyTorch engine, CPU). */
class GridMapsTensorTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    @Test
    void tensorCropEqualsScalarMapInBothLayouts() {
        Random r = new Random(11);
        for (int trial = 0; trial < 6; trial++) {
            CropGrid g = CropGrid.of(1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(6), 1 + r.nextInt(6));
            int b = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(3);
            int hw = g.width() * g.height();
            float[] data = new float[b * c * hw];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) r.nextGaussian();
            }
            try (NDManager m = PYTORCH.get().newSubManager()) {
                NDArray bchw = m.create(data, new Shape(b, c, g.height(), g.width()));
                NDArray bhwc = bchw.transpose(0, 2, 3, 1); // (B, H, W, C)
                for (Perspective p : Perspective.values()) {
                    NDArray subsFirst = GridMaps.crop(bchw, g, p, Layout.CHANNELS_FIRST);
                    NDArray subsLast = GridMaps.crop(bhwc, g, p, Layout.CHANNELS_LAST);
                    assertEquals(new Shape((long) b * g.count(), c, g.subHeight(), g.subWidth()), subsFirst.getShape());
                    assertEquals(new Shape((long) b * g.count(), g.subHeight(), g.subWidth(), c), subsLast.getShape());
                    // Expected: the planar float path, batch item by batch item.
                    for (int item = 0; item < b; item++) {
                        float[] one = new float[c * hw];
                        System.arraycopy(data, item * c * hw, one, 0, c * hw);
                        float[][] expected = GridMaps.crop(one, c, g, p);
                        for (int k = 0; k < g.count(); k++) {
                            int idx = item * g.count() + k;
                            assertArrayEquals(expected[k], subsFirst.get(idx).toFloatArray(), p + " " + g + " k=" + k);
                            assertArrayEquals(expected[k], subsLast.get(idx).transpose(2, 0, 1).toFloatArray());
                        }
                    }
                    assertArrayEquals(data, GridMaps.recombine(subsFirst, g, p, Layout.CHANNELS_FIRST).toFloatArray());
                    NDArray back = p == Perspective.LOCAL ? GridMaps.recombineLocal(subsLast, g, Layout.CHANNELS_LAST)
                            : GridMaps.recombineGlobal(subsLast, g, Layout.CHANNELS_LAST);
                    assertArrayEquals(bhwc.toFloatArray(), back.toFloatArray());
                }
            }
        }
    }

    @Test
    void featureMapOfClipLAtThreeByThree() {
        // 9 sub-features of 24×24×8 recombined into a 72×72 map; the global interleave puts sub-feature 3a+c at
        // G[a::3, c::3] (reference-implementation.md): G[1, 2] comes from sub-feature 3·1+2 = 5, position (0, 0).
        CropGrid g = CropGrid.of(3, 3, 24, 24);
        try (NDManager m = PYTORCH.get().newSubManager()) {
            NDArray subs = m.arange(9f).reshape(9, 1, 1, 1).broadcast(new Shape(9, 24, 24, 8)); // (B·N, h, w, C)
            NDArray map = GridMaps.recombineGlobal(subs, g, Layout.CHANNELS_LAST);
            assertEquals(new Shape(1, 72, 72, 8), map.getShape());
            assertEquals(5f, map.getFloat(0, 1, 2, 0));
            assertEquals(4f, map.getFloat(0, 70, 70, 3)); // 70 = 3·23 + 1 -> a = 1, c = 1 -> 4
            NDArray localMap = GridMaps.recombineLocal(subs, g, Layout.CHANNELS_LAST);
            assertEquals(5f, localMap.getFloat(0, 30, 50, 0)); // row 30/24 = 1, col 50/24 = 2 -> 5
        }
    }

    @Test
    void wrongTensorShapesNameTheShapes() {
        CropGrid g = CropGrid.of(2, 2, 3, 3);
        try (NDManager m = PYTORCH.get().newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GridMaps.crop(m.zeros(new Shape(1, 3, 5, 6)), g, Perspective.LOCAL, Layout.CHANNELS_FIRST));
            assertEquals(true, e.getMessage().contains("(1, 3, 5, 6)"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> GridMaps.recombine(m.zeros(new Shape(3, 3, 3, 1)), g, Perspective.GLOBAL, Layout.CHANNELS_LAST));
        }
    }
}
