package org.infllava.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad image files: each gives one message naming the file and the problem. */
class ImageFilesTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static void assertRefused(Path file, String problem, long maxPixels) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageFiles.read(file, maxPixels));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "'" + e.getMessage() + "' lacks '" + problem + "'");
        assertEquals(file, e.file());
        assertEquals(1, e.getMessage().lines().count(), "one line");
    }

    @Test
    void readsAValidPng() throws IOException {
        BufferedImage img = ImageFiles.read(write("ok.png", TestImages.png(13, 7)));
        assertEquals(13, img.getWidth());
        assertEquals(7, img.getHeight());
    }

    @Test
    void refusesANonImageFile() throws IOException {
        assertRefused(write("notes.txt", "hello, not a picture\n".getBytes()), "not a supported image",
                ImageFiles.DEFAULT_MAX_PIXELS);
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        assertRefused(write("empty.png", new byte[0]), "empty file (0 bytes)", ImageFiles.DEFAULT_MAX_PIXELS);
    }

    @Test
    void refusesATruncatedPng() throws IOException {
        byte[] full = TestImages.png(64, 64);
        assertRefused(write("cut.png", Arrays.copyOf(full, full.length / 2)), "corrupt or truncated",
                ImageFiles.DEFAULT_MAX_PIXELS);
    }

    @Test
    void refusesATruncatedJpeg() throws IOException {
        byte[] full = TestImages.jpeg(64, 64);
        assertRefused(write("cut.jpg", Arrays.copyOf(full, full.length / 2)), "corrupt or truncated",
                ImageFiles.DEFAULT_MAX_PIXELS);
    }

    @Test
    void refusesAHugeImageFromItsHeaderBeforeDecoding() throws IOException {
        // 20000 × 20000 = 400 MP > 100 MP: the bogus IDAT would fail to decode, so the size message proves the
        // refusal came from the header.
        assertRefused(write("huge.png", TestImages.pngHeaderOnly(20000, 20000)), "above the limit of 100000000 pixels",
                ImageFiles.DEFAULT_MAX_PIXELS);
        assertRefused(write("small.png", TestImages.png(20, 10)), "200 pixels, above the limit of 199", 199);
    }

    @Test
    void refusesAMissingFileAndADirectory() {
        assertRefused(dir.resolve("missing.png"), "no such file", ImageFiles.DEFAULT_MAX_PIXELS);
        assertRefused(dir, "is a directory", ImageFiles.DEFAULT_MAX_PIXELS);
    }
}
