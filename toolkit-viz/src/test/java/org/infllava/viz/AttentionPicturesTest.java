package org.infllava.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.Rectangle;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.infllava.crop.CropGrid;
import org.infllava.crop.Perspective;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.junit.jupiter.api.Test;

/**
 * A 2×2 grid of 4×4-pixel sub-images (canvas 8×8), patch 2: each sub-image is 2×2 tokens, the token maps are 4×4.
 * Flat pixel index = y·8 + x.
 */
class AttentionPicturesTest {

    private static final CropGrid PIXELS = CropGrid.of(2, 2, 4, 4);
    private static final CropGrid TOKENS = CropGrid.of(2, 2, 2, 2);

    @Test
    void localTokenCoversAContiguousPatch() {
        // Local sub-image 3 = (row 1, col 1); token (v=1, u=0) covers its pixels rows 2..3, cols 0..1.
        // Eq. (13): y = row·4 + v' = 4 + {2, 3} = {6, 7}; x = col·4 + u' = 4 + {0, 1} = {4, 5}.
        // Flat: 6·8 + 4 = 52, 53, 7·8 + 4 = 60, 61.
        assertArrayEquals(new int[] {52, 53, 60, 61},
                AttentionPictures.sourcePixels(Perspective.LOCAL, PIXELS, 2, 3, 1, 0));
        assertEquals(new Rectangle(4, 6, 2, 2), AttentionPictures.sourceBounds(Perspective.LOCAL, PIXELS, 2, 3, 1, 0));
    }

    @Test
    void globalTokenCoversAStridedLattice() {
        // Global sub-image 1 = (i=0, j=1); token (v=0, u=1) covers its pixels rows 0..1, cols 2..3.
        // Eq. (17): y = v'·n_H + i = {0, 1}·2 + 0 = {0, 2}; x = u'·n_W + j = {2, 3}·2 + 1 = {5, 7}.
        // Flat: 0·8 + 5 = 5, 7, 2·8 + 5 = 21, 23 — every other pixel of the 3×3 box at (5, 0).
        assertArrayEquals(new int[] {5, 7, 21, 23},
                AttentionPictures.sourcePixels(Perspective.GLOBAL, PIXELS, 2, 1, 0, 1));
        assertEquals(new Rectangle(5, 0, 3, 3), AttentionPictures.sourceBounds(Perspective.GLOBAL, PIXELS, 2, 1, 0, 1));
    }

    @Test
    void mapPositionToSubImageToken() {
        // F^glo (eq. 6): Y = v·n_H + i, X = u·n_W + j. (Y, X) = (1, 2): i = 1, v = 0; j = 0, u = 1 → k = 2·1 + 0 = 2.
        assertEquals(new AttentionPictures.SubToken(2, 0, 1),
                AttentionPictures.subToken(Perspective.GLOBAL, TOKENS, 1, 2));
        // F^loc (eq. 5): Y = row·h + v, X = col·w + u. (1, 2): row 0, v 1; col 1, u 0 → k = 1.
        assertEquals(new AttentionPictures.SubToken(1, 1, 0),
                AttentionPictures.subToken(Perspective.LOCAL, TOKENS, 1, 2));
    }

    private static Set<Integer> nonZero(AttentionPictures.AttentionMap a) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < a.weights().length; i++) {
            if (a.weights()[i] != 0f) {
                s.add(i);
            }
        }
        return s;
    }

    private static Set<Integer> box(int x0, int y0, int x1, int y1) {
        Set<Integer> s = new HashSet<>();
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                s.add(y * 8 + x);
            }
        }
        return s;
    }

    /**
     * PAPER pairing: the global map queries inside C_glo windows. Query (0, 0) of F^glo is token 0 of window 0. The C_glo
     * window 0 of the local map holds map positions (v·2, u·2) = (0,0), (0,2), (2,0), (2,2) — on F^loc the token (0, 0)
     * of local sub-images 0, 1, 2, 3, i.e. the pixel blocks [0,2)×[0,2), [4,6)×[0,2), [0,2)×[4,6), [4,6)×[4,6).
     * The local map queries inside C_loc windows: query (3, 3) of F^loc is in window 3, whose global-map tokens are
     * positions (2..3, 2..3) = token (1, 1) of global sub-images 0..3, pixels y ∈ {4,6}+i, x ∈ {4,6}+j: the whole
     * bottom-right quadrant [4,8)×[4,8).
     */
    @Test
    void projectedAttentionLandsOnTheWindowsKeyPixels() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            DualPerspectiveEnhancement dem = DemPresets.paper(8, 2, 2);
            dem.initialize(m, 3);
            NDArray local = m.randomNormal(new Shape(1, 4, 4, 8));
            NDArray global = m.randomNormal(new Shape(1, 4, 4, 8));

            AttentionPictures.AttentionMap g = AttentionPictures.project(dem, local, global, Perspective.GLOBAL, 0, 0,
                    PIXELS);
            Set<Integer> expected = new HashSet<>();
            expected.addAll(box(0, 0, 2, 2));
            expected.addAll(box(4, 0, 6, 2));
            expected.addAll(box(0, 4, 2, 6));
            expected.addAll(box(4, 4, 6, 6));
            assertEquals(expected, nonZero(g));
            double sum = 0;
            for (float w : g.weights()) {
                sum += w;
            }
            assertEquals(1.0, sum, 1e-5);
            // The block of local sub-image 1 carries A[window 0, query 0, key 1] (key 1 = window position (0, 1) =
            // map (0, 2)), split over 4 pixels.
            float[] a = dem.attentionWeights(new ParameterStore(m, false), local, global, Perspective.GLOBAL)
                    .get("0, 0, 0, :").toFloatArray();
            assertEquals(a[1] / 4, g.at(4, 0), 1e-6);
            assertEquals(a[1] / 4, g.at(5, 1), 1e-6);
            assertEquals(a[3] / 4, g.at(5, 5), 1e-6);
            // The query token itself: global sub-image 0 token (0, 0) → pixels y, x ∈ {0, 2}.
            assertArrayEquals(new int[] {0, 2, 16, 18}, g.queryPixels());

            AttentionPictures.AttentionMap l = AttentionPictures.project(dem, local, global, Perspective.LOCAL, 3, 3,
                    PIXELS);
            assertEquals(box(4, 4, 8, 8), nonZero(l));
            // local sub-image 3 token (1, 1): pixels [6,8)×[6,8)
            assertArrayEquals(new int[] {54, 55, 62, 63}, l.queryPixels());
            assertEquals(0xFFFF, l.heatmap().getRGB(6, 6) & 0xFFFF); // query pixels drawn cyan
            assertTrue(Arrays.stream(new int[] {0, 7, 56}).allMatch(i -> l.weights()[i] == 0f));
        }
    }
}
