package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplingTest {

    /**
     * Pillow 9.4 {@code Image.resize(size, BICUBIC)} on the same 123×97 source (make_crop_goldens.py). Tolerance 0:
     * the fixed-point arithmetic is reproduced exactly; the measured difference is 0 grey levels for every case
     * (docs/preprocessing.md).
     */
    @ParameterizedTest
    @CsvSource({"64,48", "300,250", "20,140", "41,97", "123,33"})
    void bicubicResizeMatchesPillowExactly(int w, int h) {
        BufferedImage src = Goldens.png("resize_src.png");
        BufferedImage expected = Goldens.png("resize_pil_" + w + "x" + h + ".png");
        BufferedImage actual = ClipPreprocessor.resize(src, w, h);
        int diff = Goldens.maxChannelDiff(GridMaps.pixels(expected), GridMaps.pixels(actual));
        assertEquals(0, diff, "max |Java - Pillow| per channel for " + w + "x" + h);
    }

    /** PyTorch 1.13 {@code F.interpolate(mode="bicubic", align_corners=False)}; tolerance 1e-5 (float32 rounding). */
    @ParameterizedTest
    @CsvSource({"4,5", "7,9", "15,20"})
    void torchBicubicMatchesPyTorch(int oh, int ow) {
        HostTensor in = Goldens.npy("torch_bicubic_in.npy"); // (3, 10, 12)
        HostTensor expected = Goldens.npy("torch_bicubic_" + oh + "x" + ow + ".npy");
        float[] actual = Resampling.interpolateTorch(in.data(), 3, 10, 12, oh, ow);
        assertArrayEquals(expected.data(), actual, 1e-5f);
    }

    /**
     * The reference low-resolution view at an odd integer factor f is the centre-phase global sub-image: the source
     * coordinate (d + 0.5)·f − 0.5 = f·d + (f−1)/2 is an integer, where the cubic kernel weights are (0, 1, 0, 0).
     * For a 3×3 grid that is global sub-image #4 = x[1::3, 1::3]; for 5×5 it is #12 = x[2::5, 2::5].
     */
    @ParameterizedTest
    @CsvSource({"3,4", "5,12"})
    void referenceLowResEqualsCentrePhaseGlobalSubImage(int factor, int expectedIndex) {
        int sub = 7;
        CropGrid g = CropGrid.of(factor, factor, sub, sub);
        Random r = new Random(factor);
        float[] x = new float[3 * g.width() * g.height()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] lowRes = ClipPreprocessor.lowResReference(x, g.height(), g.width(), sub, sub);
        float[][] global = GridMaps.crop(x, 3, g, Perspective.GLOBAL);
        int centre = g.columns() * ((factor - 1) / 2) + (factor - 1) / 2;
        assertEquals(expectedIndex, centre);
        assertArrayEquals(global[centre], lowRes, 1e-6f);
    }
}
