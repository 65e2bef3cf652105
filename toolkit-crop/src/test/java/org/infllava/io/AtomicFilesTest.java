package org.infllava.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults injected into every writer of toolkit-crop ({@link AtomicFiles} and the safetensors, {@code .npy} and PNG
 * writers that go through it): a disk that fills after N bytes, a read-only directory. Each time: one line naming the
 * target and the cause, the previous file bit for bit, nothing temporary left.
 */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        AtomicFiles.setOpener(AtomicFiles.FILES);
    }

    private static void assertOneLine(InvalidInputException e, Path target, String cause, String tail) {
        String m = e.getMessage();
        assertEquals(target, e.file());
        assertFalse(m.contains("\n"), m);
        assertTrue(m.startsWith(target + ": cannot write: " + cause), m);
        assertTrue(m.endsWith(tail), m);
    }

    /** A full disk at every point of a file's bytes: the previous version survives whole. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 63, 99})
    void aFullDiskKeepsThePreviousFile(int budget) throws IOException {
        Path f = dir.resolve("a.bin");
        byte[] old = "previous good content\n".getBytes();
        AtomicFiles.write(f, out -> out.write(old));
        byte[] big = new byte[100];
        try (DiskFaults d = DiskFaults.install(DiskFaults.fullAfter(budget))) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> AtomicFiles.write(f, out -> out.write(big)));
            assertOneLine(e, f, "the disk is full: ", "No space left on device (the previous version is intact)");
        }
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("a.bin"), DiskFaults.names(dir), "no temporary file left");
    }

    @Test
    void aReadOnlyDirectoryWritesNothing() {
        Path f = dir.resolve("new.json");
        try (DiskFaults d = DiskFaults.install(DiskFaults.readOnly())) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> AtomicFiles.writeString(f, "{}"));
            assertOneLine(e, f, "permission denied (a read-only directory?): ", "(nothing was written)");
        }
        assertEquals(List.of(), DiskFaults.names(dir));
    }

    /** A directory replaced as a whole: a fault in its third file leaves the old directory, bit for bit. */
    @Test
    void aDirectoryIsReplacedWholeOrNotAtAll() throws IOException {
        Path d = dir.resolve("model");
        AtomicFiles.writeDirectory(d, tmp -> {
            AtomicFiles.writeInto(tmp.resolve("one.txt"), "1");
            AtomicFiles.writeInto(tmp.resolve("old-only.txt"), "old");
            return null;
        });
        Map<String, String> before = DiskFaults.snapshot(d);
        assertEquals(2, before.size());
        try (DiskFaults f = DiskFaults.install(DiskFaults.fullAfter(5))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> AtomicFiles.writeDirectory(d,
                    tmp -> {
                        AtomicFiles.writeInto(tmp.resolve("one.txt"), "11");
                        AtomicFiles.writeInto(tmp.resolve("two.txt"), "22");
                        AtomicFiles.writeInto(tmp.resolve("three.txt"), "33");
                        return null;
                    }));
            assertOneLine(e, d, "the disk is full: ", "(the previous version is intact)");
        }
        assertEquals(before, DiskFaults.snapshot(d));
        assertEquals(List.of("model"), DiskFaults.names(dir), "no temporary or old directory left");

        String r = AtomicFiles.writeDirectory(d, tmp -> {
            AtomicFiles.writeInto(tmp.resolve("one.txt"), "new");
            return "done";
        });
        assertEquals("done", r);
        assertEquals(List.of("one.txt"), DiskFaults.names(d), "replaced as a whole: old-only.txt is gone");
        assertEquals("new", Files.readString(d.resolve("one.txt")));
        assertEquals(List.of("model"), DiskFaults.names(dir));
    }

    /** The content's own error (bad input) passes through as it is, and nothing is left. */
    @Test
    void theContentsOwnErrorPassesThrough() {
        Path f = dir.resolve("x.bin");
        InvalidInputException bad = new InvalidInputException(Path.of("input.json"), "bad row");
        assertSame(bad, assertThrows(InvalidInputException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw bad;
        })));
        assertEquals(List.of(), DiskFaults.names(dir));
    }

    /** The toolkit's file writers go through the opener: safetensors, {@code .npy}, PNG. */
    @Test
    void safetensorsNpyAndPngWritersKeepThePreviousFile() throws IOException {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("w", new HostTensor(new long[] {4, 8}, new float[32]));
        Path st = dir.resolve("model.safetensors");
        SafeTensors.write(st, t, Map.of());
        Path npy = dir.resolve("x.npy");
        NpyArrays.write(npy, new HostTensor(new long[] {3}, new float[] {1, 2, 3}));
        Path png = dir.resolve("img.png");
        ImageFiles.writePng(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), png);
        Map<String, String> before = DiskFaults.snapshot(dir);

        Map<String, HostTensor> t2 = Map.of("w", new HostTensor(new long[] {4, 8}, new float[32]),
                "v", new HostTensor(new long[] {2}, new float[] {5, 6}));
        BufferedImage img2 = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        img2.setRGB(3, 3, 0xFF0000);
        for (int budget : new int[] {0, 20}) {
            try (DiskFaults d = DiskFaults.install(DiskFaults.fullAfter(budget))) {
                assertOneLine(assertThrows(InvalidInputException.class, () -> SafeTensors.write(st, t2, Map.of())),
                        st, "the disk is full: ", "(the previous version is intact)");
                assertOneLine(assertThrows(InvalidInputException.class, () -> NpyArrays.write(npy,
                        new HostTensor(new long[] {5}, new float[5]))), npy, "the disk is full: ",
                        "(the previous version is intact)");
                assertOneLine(assertThrows(InvalidInputException.class, () -> ImageFiles.writePng(img2, png)), png,
                        "the disk is full: ", "(the previous version is intact)");
            }
            assertEquals(before, DiskFaults.snapshot(dir), "budget " + budget);
        }
    }
}
