package org.infllava.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeaturePicturesTest {

    private static final int H = 4;
    private static final int W = 6;
    private static final int D = 5;

    /**
     * Token (y, x) = x·(1, 0.5, 0, 0, 0) + y·(0, 0, 0.3, 0, 0). Variance along the first direction:
     * var(x over 0..5) · |a|² = (35/12) · 1.25 = 3.6458; along the second var(y over 0..3) · 0.09 = 1.25 · 0.09 =
     * 0.1125. So component 0 is a ramp in x (red), component 1 a ramp in y (green), and nothing is left for blue.
     */
    private static float[] ramps() {
        float[] f = new float[H * W * D];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int t = (y * W + x) * D;
                f[t] = x;
                f[t + 1] = 0.5f * x;
                f[t + 2] = 0.3f * y;
            }
        }
        return f;
    }

    @Test
    void firstComponentIsTheXRampAndSecondTheYRamp() {
        FeaturePictures.Pca p = FeaturePictures.pca(ramps(), H, W, D);
        assertEquals(35.0 / 12 * 1.25, p.variances()[0], 1e-5);
        assertEquals(1.25 * 0.09, p.variances()[1], 1e-5);
        assertEquals(0.0, p.variances()[2], 1e-9);
        // unit eigenvector (1, 0.5, 0, 0, 0) / √1.25, sign: largest coefficient positive
        assertEquals(1 / Math.sqrt(1.25), p.components()[0], 1e-5);
        assertEquals(0.5 / Math.sqrt(1.25), p.components()[1], 1e-5);
        assertEquals(1.0, p.components()[D + 2], 1e-5);

        BufferedImage img = FeaturePictures.pcaRgb(ramps(), H, W, D);
        assertEquals(W, img.getWidth());
        assertEquals(H, img.getHeight());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int rgb = img.getRGB(x, y);
                int r = rgb >> 16 & 0xFF;
                int g = rgb >> 8 & 0xFF;
                // red = 255·x/5 (min/max scaling of a linear ramp), green = 255·y/3, blue 0 (no third component)
                assertEquals(Math.round(255f * x / (W - 1)), r, "red at " + x + "," + y);
                assertEquals(Math.round(255f * y / (H - 1)), g, "green at " + x + "," + y);
                assertEquals(0, rgb & 0xFF, "blue at " + x + "," + y);
            }
        }
    }

    @Test
    void negatedRampKeepsTheSignConvention() {
        // All of the x direction negated: the eigenvector's largest coefficient is still made positive, so red now
        // falls along x (255 at x = 0) — the picture follows the data, not the eigen-solver's sign.
        float[] f = ramps();
        for (int t = 0; t < H * W; t++) {
            f[t * D] = -f[t * D];
            f[t * D + 1] = -f[t * D + 1];
        }
        BufferedImage img = FeaturePictures.pcaRgb(f, H, W, D);
        assertEquals(255, img.getRGB(0, 2) >> 16 & 0xFF);
        assertEquals(0, img.getRGB(W - 1, 2) >> 16 & 0xFF);
    }

    @Test
    void sideBySidePlacesEnlargedPanelsLeftToRight() {
        BufferedImage a = FeaturePictures.pcaRgb(ramps(), H, W, D);
        BufferedImage b = new BufferedImage(2, 3, BufferedImage.TYPE_INT_RGB);
        b.setRGB(1, 2, 0x123456);
        BufferedImage s = FeaturePictures.sideBySide(3, List.of(a, b), List.of());
        // width = gap + 6·3 + gap + 2·3 + gap = 3 + 18 + 3 + 6 + 3 = 33; height = 4·3 + 2·gap = 18 (no captions)
        assertEquals(33, s.getWidth());
        assertEquals(18, s.getHeight());
        // b's pixel (1, 2) fills the block x ∈ [3 + 18 + 3 + 3, +3) = [27, 30), y ∈ [3 + 6, +3) = [9, 12)
        for (int y = 9; y < 12; y++) {
            for (int x = 27; x < 30; x++) {
                assertEquals(0x123456, s.getRGB(x, y) & 0xFFFFFF, x + "," + y);
            }
        }
        // a's pixel (5, 3) (red 255, green 255) fills x ∈ [3 + 15, 21), y ∈ [3 + 9, 15)
        assertEquals(0xFFFF00, s.getRGB(20, 14) & 0xFFFFFF);
        assertEquals(0xFFFFFF, s.getRGB(0, 0) & 0xFFFFFF);
        assertTrue(FeaturePictures.sideBySide(3, List.of(a, b), List.of("local", "DEM")).getHeight() > 18);
        assertThrows(IllegalArgumentException.class, () -> FeaturePictures.sideBySide(3, List.of(a), List.of("x", "y")));
    }
}
