package org.infllava.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static Map<String, HostTensor> sample() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("a.weight", new HostTensor(new long[] {2, 3}, new float[] {1f, -2f, 0.5f, 65504f, 1e-8f, -0.0f}));
        m.put("b", new HostTensor(new long[] {1}, new float[] {3.140625f}));
        return m;
    }

    @Test
    void f32RoundTripsExactly() {
        Path f = dir.resolve("x.safetensors");
        SafeTensors.write(f, sample(), Map.of("format", "pt"));
        assertEquals(sample(), SafeTensors.read(f));
    }

    /**
     * F16 keeps values representable in half precision exactly (1, −2, 0.5, 65504 = the largest half, 3.140625 =
     * 3 + 9/64) and flushes 1e-8 (below the smallest half subnormal, 2^-24 ≈ 6e-8) to zero.
     */
    @Test
    void f16RoundTripsRepresentableValues() {
        Path f = dir.resolve("h.safetensors");
        SafeTensors.write(f, sample(), Map.of(), SafeTensors.DType.F16);
        Map<String, HostTensor> back = SafeTensors.read(f);
        assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f, 0f, -0.0f}, back.get("a.weight").data());
        assertArrayEquals(new float[] {3.140625f}, back.get("b").data());
        assertEquals(0x3C00, SafeTensors.floatToHalf(1f) & 0xFFFF); // 1.0 = 0 01111 0000000000
        assertEquals(0x3555, SafeTensors.floatToHalf(1f / 3) & 0xFFFF); // 1/3 rounds to 0x3555
        assertEquals(1f / 3, SafeTensors.halfToFloat((short) 0x3555), 1e-4f);
    }

    @Test
    void truncatedFileNamesTheTensorAndTheSizes() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 4));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafeTensors.open(f));
        assertTrue(e.getMessage().contains("t.safetensors: tensor 'b' ends at byte") && e.getMessage().contains(
                "(truncated)"), e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(InvalidInputException.class, () -> SafeTensors.open(f));
    }
}
