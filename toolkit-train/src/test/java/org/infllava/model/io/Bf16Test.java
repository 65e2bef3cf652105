package org.infllava.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.infllava.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bfloat16 decoded on the device: every one of the 65 536 bit patterns gives the bits of the host conversion
 * ({@code Float.intBitsToFloat(bits << 16)}, the definition of bfloat16 as the top half of a float32), NaN patterns
 * a NaN; and a BF16 safetensors file read raw and decoded equals {@link SafeTensors#read}.
 */
class Bf16Test {

    @TempDir
    Path dir;

    private static ByteBuffer allPatterns() {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            b.putShort((short) i);
        }
        return b.rewind();
    }

    private static void assertHostBits(float[] got) {
        int nans = 0;
        for (int i = 0; i < 65536; i++) {
            float want = Float.intBitsToFloat(i << 16);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got[i]), "pattern 0x" + Integer.toHexString(i) + " is NaN");
                nans++;
            } else {
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]),
                        "pattern 0x" + Integer.toHexString(i) + ": " + want + " vs " + got[i]);
            }
        }
        assertEquals(2 * 127, nans, "exponent 255 with a non-zero 7-bit mantissa, both signs");
    }

    @Test
    void everyPatternDecodesToTheHostBits() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = Bf16.decode(m, allPatterns(), new Shape(256, 256));
            assertEquals(new Shape(256, 256), x.getShape());
            assertHostBits(x.toFloatArray());
        }
    }

    @Test
    void aBf16SafetensorsFileDecodesLikeTheHostReader() throws IOException {
        String header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[256,256],\"data_offsets\":[0,131072]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + h.length + 131072).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(h.length).put(h).put(allPatterns());
        Path f = dir.resolve("bf16.safetensors");
        Files.write(f, file.array());
        try (SafeTensors st = SafeTensors.open(f); NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] host = st.read("w").data();
            float[] device = Bf16.decode(m, st.raw("w"), new Shape(256, 256)).toFloatArray();
            assertHostBits(device);
            for (int i = 0; i < host.length; i++) {
                assertTrue(Float.floatToIntBits(host[i]) == Float.floatToIntBits(device[i]), "element " + i);
            }
        }
    }
}
