package org.infllava.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyArraysTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsFloat32() {
        Path f = dir.resolve("a.npy");
        float[] data = {1.5f, -2f, 3.25f, 0f, 7f, -0.125f};
        NpyArrays.writeFloat32(f, data, 2, 3);
        HostTensor a = NpyArrays.readConverting(f);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(data, a.data());
    }

    @Test
    void readsAFileNumpyWrote() {
        // normalize_pixels.npy holds NumPy float32 (1, 3, 3) of the pixels (255, 0, 128), (0, 255, 64), (122, 116, 104).
        HostTensor a = NpyArrays.readConverting(Path.of("src/test/resources/golden/normalize_pixels.npy"));
        assertArrayEquals(new long[] {1, 3, 3}, a.shape());
        assertArrayEquals(new float[] {255, 0, 128, 0, 255, 64, 122, 116, 104}, a.data());
    }

    @Test
    void rejectsTruncatedAndForeignFiles() throws IOException {
        Path f = dir.resolve("a.npy");
        NpyArrays.writeFloat32(f, new float[100], 100);
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 8));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NpyArrays.readConverting(cut));
        assertTrue(e.getMessage().contains("cut.npy") && e.getMessage().contains("truncated"), e.getMessage());
        Path txt = dir.resolve("x.npy");
        Files.writeString(txt, "hello world");
        assertThrows(InvalidInputException.class, () -> NpyArrays.readConverting(txt));
    }

    @Test
    void strictReadRefusesOtherDtypesNamingThem() {
        Path u8 = Path.of("src/test/resources/golden/contract_none_s10_local-0-0.npy"); // NumPy uint8
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NpyArrays.read(u8));
        assertTrue(e.getMessage().contains("expected float32") && e.getMessage().contains("'|u1'"), e.getMessage());
        assertArrayEquals(new long[] {10, 10, 3}, NpyArrays.readConverting(u8).shape());
    }
}
