package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class GridMapsTest {

    /**
     * A 6×6 canvas with pixel value {@code 10·y + x}, cut by a 3×2 grid (n_W = 3 columns, n_H = 2 rows) into sub-images
     * of w = 6/3 = 2 by h = 6/2 = 3.
     */
    @Test
    void golden6x6On3x2Grid() {
        int[] canvas = new int[36];
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                canvas[6 * y + x] = 10 * y + x;
            }
        }
        CropGrid g = CropGrid.of(3, 2, 2, 3);
        int[][] local = GridMaps.crop(canvas, g, Perspective.LOCAL);
        // Local k = 3·row + col covers rows 3·row .. 3·row+2, columns 2·col .. 2·col+1 (eq. (13)).
        assertArrayEquals(new int[] {0, 1, 10, 11, 20, 21}, local[0]); // row 0, col 0
        assertArrayEquals(new int[] {2, 3, 12, 13, 22, 23}, local[1]); // row 0, col 1: columns 2-3
        assertArrayEquals(new int[] {4, 5, 14, 15, 24, 25}, local[2]); // row 0, col 2: columns 4-5
        assertArrayEquals(new int[] {30, 31, 40, 41, 50, 51}, local[3]); // row 1 = canvas rows 3-5
        assertArrayEquals(new int[] {32, 33, 42, 43, 52, 53}, local[4]);
        assertArrayEquals(new int[] {34, 35, 44, 45, 54, 55}, local[5]);
        int[][] global = GridMaps.crop(canvas, g, Perspective.GLOBAL);
        // Global (i, j) = canvas[rows i::2, columns j::3] (eq. (17)): rows i, i+2, i+4; columns j, j+3.
        assertArrayEquals(new int[] {0, 3, 20, 23, 40, 43}, global[0]); // (0,0): rows 0,2,4 cols 0,3
        assertArrayEquals(new int[] {1, 4, 21, 24, 41, 44}, global[1]); // (0,1): cols 1,4
        assertArrayEquals(new int[] {2, 5, 22, 25, 42, 45}, global[2]); // (0,2): cols 2,5
        assertArrayEquals(new int[] {10, 13, 30, 33, 50, 53}, global[3]); // (1,0): rows 1,3,5
        assertArrayEquals(new int[] {11, 14, 31, 34, 51, 54}, global[4]);
        assertArrayEquals(new int[] {12, 15, 32, 35, 52, 55}, global[5]);
        assertArrayEquals(canvas, GridMaps.recombine(local, g, Perspective.LOCAL));
        assertArrayEquals(canvas, GridMaps.recombine(global, g, Perspective.GLOBAL));
    }

    /** Eq. (17) checked pixel by pixel on random data with a formula written out here, not GridMaps'. */
    @RepeatedTest(5)
    void globalCropIsEquation17(org.junit.jupiter.api.RepetitionInfo info) {
        Random r = new Random(17 + info.getCurrentRepetition());
        CropGrid g = CropGrid.of(1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(9), 1 + r.nextInt(9));
        int[] canvas = r.ints(g.width() * g.height()).toArray();
        int[][] global = GridMaps.crop(canvas, g, Perspective.GLOBAL);
        int[][] local = GridMaps.crop(canvas, g, Perspective.LOCAL);
        for (int i = 0; i < g.rows(); i++) {
            for (int j = 0; j < g.columns(); j++) {
                int k = g.columns() * i + j;
                for (int v = 0; v < g.subHeight(); v++) {
                    for (int u = 0; u < g.subWidth(); u++) {
                        int x = j + u * g.columns(); // eq. (17): x = j + u·n_W
                        int y = i + v * g.rows(); //           y = i + v·n_H
                        assertEquals(canvas[y * g.width() + x], global[k][v * g.subWidth() + u]);
                        int ly = i * g.subHeight() + v; // eq. (13): row·H_l + v
                        int lx = j * g.subWidth() + u; //            col·W_l + u
                        assertEquals(canvas[ly * g.width() + lx], local[k][v * g.subWidth() + u]);
                    }
                }
            }
        }
    }

    @RepeatedTest(10)
    void roundTripIsExactForRandomGrids(org.junit.jupiter.api.RepetitionInfo info) {
        Random r = new Random(info.getCurrentRepetition());
        CropGrid g = CropGrid.of(1 + r.nextInt(5), 1 + r.nextInt(5), 1 + r.nextInt(13), 1 + r.nextInt(13));
        int[] canvas = r.ints(g.width() * g.height()).toArray();
        float[] planar = new float[3 * g.width() * g.height()];
        for (int i = 0; i < planar.length; i++) {
            planar[i] = (float) r.nextGaussian();
        }
        for (Perspective p : Perspective.values()) {
            assertArrayEquals(canvas, GridMaps.recombine(GridMaps.crop(canvas, g, p), g, p), p + " " + g);
            assertArrayEquals(planar, GridMaps.recombine(GridMaps.crop(planar, 3, g, p), 3, g, p), p + " " + g);
            int[] map = GridMaps.gatherIndex(p, g);
            int[] sorted = map.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                assertEquals(i, sorted[i], "gather map of " + p + " " + g + " is a permutation");
            }
        }
        BufferedImage img = GridMaps.image(canvas, g.width(), g.height());
        List<BufferedImage> local = GridMaps.crop(img, g, Perspective.LOCAL);
        List<BufferedImage> global = GridMaps.crop(img, g, Perspective.GLOBAL);
        assertEquals(g.count(), local.size());
        assertArrayEquals(GridMaps.pixels(img), GridMaps.pixels(GridMaps.recombineLocal(local, g)));
        assertArrayEquals(GridMaps.pixels(img), GridMaps.pixels(GridMaps.recombineGlobal(global, g)));
    }

    @Test
    void planarCropMatchesPackedCropChannelByChannel() {
        CropGrid g = CropGrid.of(3, 2, 4, 5);
        Random r = new Random(3);
        int[] packed = r.ints(g.width() * g.height(), 0, 1 << 24).toArray();
        float[] planar = new float[3 * packed.length];
        for (int i = 0; i < packed.length; i++) {
            for (int c = 0; c < 3; c++) {
                planar[c * packed.length + i] = (packed[i] >> (16 - 8 * c)) & 0xFF;
            }
        }
        int[][] subs = GridMaps.crop(packed, g, Perspective.GLOBAL);
        float[][] fsubs = GridMaps.crop(planar, 3, g, Perspective.GLOBAL);
        int n = g.subWidth() * g.subHeight();
        for (int k = 0; k < g.count(); k++) {
            for (int i = 0; i < n; i++) {
                assertEquals((subs[k][i] >> 8) & 0xFF, (int) fsubs[k][n + i], "green plane of sub-image " + k);
            }
        }
    }

    @Test
    void subImageRefsGiveOffsetsAndStrides() {
        CropGrid g = CropGrid.of(3, 2, 336, 336);
        // local k=4 is row 1, col 1: offset (336, 336), stride 1; global (1, 1): offset (1, 1), stride (3, 2).
        assertEquals(new SubImageRef(Perspective.LOCAL, 4, 1, 1, 336, 336, 1, 1), SubImageRef.of(Perspective.LOCAL, g, 4));
        assertEquals(new SubImageRef(Perspective.GLOBAL, 4, 1, 1, 1, 1, 3, 2), SubImageRef.of(Perspective.GLOBAL, g, 4));
        assertEquals("global-1-2.png", SubImageRef.of(Perspective.GLOBAL, g, 5).fileName());
    }

    @Test
    void mismatchedSizesAreRejectedWithTheSizes() {
        CropGrid g = CropGrid.of(2, 2, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GridMaps.crop(GridMaps.image(new int[25], 5, 5), g, Perspective.LOCAL));
        assertTrue(e.getMessage().contains("5x5") && e.getMessage().contains("6x6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CropGrid.of(0, 3, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> CropGrid.of(2, 2, -1, 4));
        assertThrows(IllegalArgumentException.class, () -> GridMaps.recombine(new int[3][9], g, Perspective.LOCAL));
    }

    /** Java2D may leave bits in the unused top byte of INT_RGB pixels; they must not leak into crops or comparisons. */
    @Test
    void pixelsIgnoreTheUnusedTopByteOfIntRgb() {
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        int[] raw = ((java.awt.image.DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < raw.length; i++) {
            raw[i] = 0xFF000000 | (i * 0x010203);
        }
        int[] px = GridMaps.pixels(img);
        assertEquals(0x010203 * 5, px[5]);
        CropGrid g = CropGrid.of(2, 1, 2, 2);
        assertArrayEquals(px, GridMaps.pixels(GridMaps.recombineGlobal(GridMaps.crop(img, g, Perspective.GLOBAL), g)));
    }
}
