package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.infllava.io.ImageFiles;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;

/**
 * Access to the golden files written by {@code src/test/python/make_crop_goldens.py} (Pillow, NumPy, PyTorch).
 */
final class Goldens {

    static final Path DIR = Path.of("src/test/resources/golden");

    private Goldens() {}

    static Path path(String name) {
        return DIR.resolve(name);
    }

    static BufferedImage png(String name) {
        return ClipPreprocessor.toRgb(ImageFiles.read(path(name)));
    }

    static HostTensor npy(String name) {
        return NpyArrays.readConverting(path(name));
    }

    /** An (H, W, 3) uint8 array from NumPy as packed RGB. */
    static int[] packedRgb(HostTensor a) {
        assertEquals(3, a.shape().length, "expected (H, W, 3)");
        assertEquals(3, a.shape()[2], "expected 3 channels");
        int n = (int) (a.shape()[0] * a.shape()[1]);
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = ((int) a.data()[3 * i] << 16) | ((int) a.data()[3 * i + 1] << 8) | (int) a.data()[3 * i + 2];
        }
        return px;
    }

    /** Asserts an image equals an (H, W, 3) golden pixel for pixel. */
    static void assertImageEquals(HostTensor expected, BufferedImage actual, String what) {
        assertEquals(expected.shape()[0], actual.getHeight(), what + " height");
        assertEquals(expected.shape()[1], actual.getWidth(), what + " width");
        assertArrayEquals(packedRgb(expected), GridMaps.pixels(actual), what + " pixels");
    }

    /** Largest per-channel absolute difference of two packed RGB arrays. */
    static int maxChannelDiff(int[] a, int[] b) {
        assertEquals(a.length, b.length, "pixel counts");
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int s = 0; s <= 16; s += 8) {
                max = Math.max(max, Math.abs(((a[i] >> s) & 0xFF) - ((b[i] >> s) & 0xFF)));
            }
        }
        return max;
    }
}
