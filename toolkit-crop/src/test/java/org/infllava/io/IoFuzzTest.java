package org.infllava.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzz targets of the file formats in {@code org.infllava.io} (the property: {@link HostileInput}). Their regression
 * inputs, every crash found included, live in {@code src/test/resources/org/infllava/io/IoFuzzTestInputs/<target>}
 * and run in every build; {@code scripts/fuzz.sh} fuzzes each target for a bounded time.
 */
class IoFuzzTest {

    /** The pixel limit the image target reads with; the heap that many pixels may take is declared to the check. */
    static final long MAX_PIXELS = 1 << 18;

    /** A safetensors file, header and body: every tensor read, each holding exactly its shape's values. */
    @FuzzTest
    void safetensors(byte[] input) {
        Path f = HostileInput.write("input.safetensors", input);
        Map<String, HostTensor> tensors = HostileInput.checkFile(f, input.length, 0, () -> SafeTensors.read(f));
        if (tensors != null) {
            for (HostTensor t : tensors.values()) {
                long n = 1;
                for (long d : t.shape()) {
                    assertTrue(d >= 0, "no negative dimension");
                    n *= d;
                }
                assertEquals(n, t.data().length, "a tensor holds its shape's values");
                assertTrue(4L * t.data().length <= 2L * input.length, "values come from the file's bytes");
            }
        }
    }

    /** A {@code .npy} file through both readers (float32 only, and converting). */
    @FuzzTest
    void npy(byte[] input) {
        Path f = HostileInput.write("input.npy", input);
        for (boolean converting : new boolean[] {false, true}) {
            HostTensor t = HostileInput.checkFile(f, input.length, 0,
                    () -> converting ? NpyArrays.readConverting(f) : NpyArrays.read(f));
            if (t != null) {
                assertTrue(t.data().length <= input.length, "values come from the file's bytes");
            }
        }
    }

    /** Any image file (PNG, JPEG, BMP, GIF), read with a pixel limit and converted to 8-bit RGB as CLIP needs. */
    @FuzzTest
    void image(byte[] input) {
        Path f = HostileInput.write("input.img", input);
        BufferedImage img = HostileInput.checkFile(f, input.length, 32 * MAX_PIXELS,
                () -> ImageFiles.readRgb(f, MAX_PIXELS));
        if (img != null) {
            assertTrue((long) img.getWidth() * img.getHeight() <= MAX_PIXELS, "the pixel limit holds");
            assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        }
    }
}
