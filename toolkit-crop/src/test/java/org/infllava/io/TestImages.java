package org.infllava.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Image files for tests, good and bad; shared with other modules through toolkit-crop's test jar. */
public final class TestImages {

    private TestImages() {}

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
}
