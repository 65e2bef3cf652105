package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClipPreprocessorTest {

    @Test
    void normalisationMatchesClipImageProcessor() {
        ClipPreprocessor pre = ClipPreprocessor.clip();
        // Pixels (255, 0, 128), (0, 255, 64), (122, 116, 104) in one row.
        BufferedImage img = GridMaps.image(new int[] {0xFF0080, 0x00FF40, 0x7A7468}, 3, 1);
        float[] actual = pre.normalize(img);
        // Hand derivation of two values: R of (255, 0, 128) = (1 - 0.48145466) / 0.26862954 = 1.9303361;
        // G of the same pixel = (0 - 0.4578275) / 0.26130258 = -1.7520971.
        assertEquals(1.9303361f, actual[0], 1e-6f);
        assertEquals(-1.7520971f, actual[3], 1e-6f);
        // All nine against NumPy's float32 computation (make_crop_goldens.py), planar (3, 1, 3).
        HostTensor expected = Goldens.npy("normalize_expected.npy");
        assertArrayEquals(expected.data(), actual, 2e-6f);
    }

    @Test
    void padColourIsFloorOf255TimesMean() {
        // int(0.48145466·255) = int(122.77) = 122, int(116.75) = 116, int(104.09) = 104.
        assertEquals((122 << 16) | (116 << 8) | 104, ClipPreprocessor.clip().padColor());
    }

    @Test
    void padToSquareCentresTheImageOnTheLongerSide() {
        ClipPreprocessor pre = ClipPreprocessor.clip();
        BufferedImage wide = GridMaps.image(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2); // 4 wide, 2 high
        BufferedImage sq = pre.padToSquare(wide);
        assertEquals(4, sq.getWidth());
        assertEquals(4, sq.getHeight());
        int bg = pre.padColor();
        // Offset (4 - 2) / 2 = 1 row of padding on top, 1 below.
        assertArrayEquals(new int[] {bg, bg, bg, bg, 1, 2, 3, 4, 5, 6, 7, 8, bg, bg, bg, bg}, GridMaps.pixels(sq));
        BufferedImage tall = GridMaps.image(new int[] {1, 2, 3}, 1, 3); // offset (3 - 1) / 2 = 1 column
        assertArrayEquals(new int[] {bg, 1, bg, bg, 2, bg, bg, 3, bg}, GridMaps.pixels(pre.padToSquare(tall)));
    }

    /** Pillow's {@code convert("RGB")} on RGBA (alpha dropped), L (grey replicated) and P (palette) PNGs: exact. */
    @ParameterizedTest
    @ValueSource(strings = {"rgba", "gray", "palette"})
    void rgbConversionMatchesPillow(String kind) {
        BufferedImage rgb = Goldens.png("conv_" + kind + ".png");
        Goldens.assertImageEquals(Goldens.npy("conv_" + kind + "_rgb.npy"), rgb, kind);
    }

    /** 16-bit grey is scaled, round(v·255/65535), not clipped as Pillow would (documented difference). */
    @Test
    void sixteenBitGreyIsScaledToEightBits() {
        BufferedImage rgb = Goldens.png("conv_gray16.png");
        Goldens.assertImageEquals(Goldens.npy("conv_gray16_rgb.npy"), rgb, "16-bit grey");
    }

    /**
     * A CMYK JPEG written by Pillow: ImageIO cannot decode it into a BufferedImage; ImageFiles converts it as Pillow's
     * cmyk2rgb does. Tolerance 3 grey levels: libjpeg and Java's decoder round the inverse DCT differently.
     */
    @Test
    void cmykJpegConvertsLikePillow() {
        BufferedImage rgb = Goldens.png("conv_cmyk.jpg");
        HostTensor expected = Goldens.npy("conv_cmyk_rgb.npy");
        int diff = Goldens.maxChannelDiff(Goldens.packedRgb(expected), GridMaps.pixels(rgb));
        assertTrue(diff <= 3, "max channel difference to Pillow " + diff + " > 3");
    }

    @Test
    void builderRejectsBadStatistics() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipPreprocessor.builder().optStd(0.2f, 0f, 0.2f).build());
        assertTrue(e.getMessage().contains("std"), e.getMessage());
    }
}
