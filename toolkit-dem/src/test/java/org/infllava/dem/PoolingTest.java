package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class PoolingTest {

    /**
     * Factor 3 (9 → 3): source row (i + 0.5)·3 − 0.5 = 3i + 1, an integer, so row i of the matrix is one-hot at 3i+1:
     * the bilinear "pooling" samples window centres.
     */
    @Test
    void bilinearAtFactorThreeSamplesWindowCentres() {
        float[] m = StandardPooling.bilinearMatrix(9, 3);
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(m, 0, 9));
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(m, 9, 18));
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 1, 0}, java.util.Arrays.copyOfRange(m, 18, 27));
        // Factor 2 (4 → 2): source 2i + 0.5 -> half of rows 2i and 2i+1.
        assertArrayEquals(new float[] {0.5f, 0.5f, 0, 0, 0, 0, 0.5f, 0.5f}, StandardPooling.bilinearMatrix(4, 2));
    }

    @Test
    void averageAndBilinearOnAHandWorkedMap() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // A 1×6×6×1 map with value 10·y + x, grid 3×3 (windows of... pooled to 2×2 with 3×3 windows).
            float[] v = new float[36];
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 6; x++) {
                    v[6 * y + x] = 10 * y + x;
                }
            }
            NDArray map = m.create(v, new Shape(1, 6, 6, 1));
            // Average of window (0,0): rows 0-2, cols 0-2 -> mean y = 1, mean x = 1 -> 11; window (1,0) -> 41 ...
            assertArrayEquals(new float[] {11, 14, 41, 44}, StandardPooling.AVERAGE.pool(map, 3, 3).toFloatArray(), 1e-5f);
            // Bilinear samples centres (1,1), (1,4), (4,1), (4,4): the same values here because the map is linear.
            assertArrayEquals(new float[] {11, 14, 41, 44},
                    StandardPooling.BILINEAR_REFERENCE.pool(map, 3, 3).toFloatArray(), 1e-5f);
            // A non-linear map tells them apart: square the values; average of window (0,0) = mean((10y+x)²).
            NDArray sq = map.square();
            double avg = 0;
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    avg += Math.pow(10 * y + x, 2) / 9.0;
                }
            }
            assertEquals((float) avg, StandardPooling.AVERAGE.pool(sq, 3, 3).toFloatArray()[0], 1e-3f);
            assertEquals(121f, StandardPooling.BILINEAR_REFERENCE.pool(sq, 3, 3).toFloatArray()[0], 1e-3f);
            assertEquals(new Shape(1, 6, 6, 1), StandardPooling.NONE.pool(map, 3, 3).getShape());
        }
    }
}
