package org.infllava.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad image files: each gives one message naming the file and the problem. Also used by the CLI tests. */
public class ImageFilesTest {

    @TempDir
    Path dir;

    /** A PNG of noise, {@code w × h}. */
    public static byte[] png(int w, int h) throws IOException {
        return encode(w, h, "png");
    }

    /** A JPEG of noise, {@code w × h}. */
    public static byte[] jpeg(int w, int h) throws IOException {
        return encode(w, h, "jpg");
    }

    private static byte[] encode(int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    /**
     * A PNG whose header announces {@code w × h} followed by a bogus IDAT: enough for a reader to report the size,
     * never enough to decode (the limit must refuse it before decoding).
     */
    public static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes()).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 17 + 4 + 12 + 4);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        b.putInt(4).put("IDAT".getBytes()).putInt(0xDEADBEEF).putInt(0);
        return b.array();
    }

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
        BufferedImage img = ImageFiles.read(write("ok.png", png(13, 7)));
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
        byte[] full = png(64, 64);
        assertRefused(write("cut.png", Arrays.copyOf(full, full.length / 2)), "corrupt or truncated",
                ImageFiles.DEFAULT_MAX_PIXELS);
    }

    @Test
    void refusesATruncatedJpeg() throws IOException {
        byte[] full = jpeg(64, 64);
        assertRefused(write("cut.jpg", Arrays.copyOf(full, full.length / 2)), "corrupt or truncated",
                ImageFiles.DEFAULT_MAX_PIXELS);
    }

    @Test
    void refusesAHugeImageFromItsHeaderBeforeDecoding() throws IOException {
        // 20000 × 20000 = 400 MP > 100 MP: the bogus IDAT would fail to decode, so the size message proves the
        // refusal came from the header.
        assertRefused(write("huge.png", pngHeaderOnly(20000, 20000)), "above the limit of 100000000 pixels",
                ImageFiles.DEFAULT_MAX_PIXELS);
        assertRefused(write("small.png", png(20, 10)), "200 pixels, above the limit of 199", 199);
    }

    @Test
    void refusesAMissingFileAndADirectory() {
        assertRefused(dir.resolve("missing.png"), "no such file", ImageFiles.DEFAULT_MAX_PIXELS);
        assertRefused(dir, "is a directory", ImageFiles.DEFAULT_MAX_PIXELS);
    }
}
