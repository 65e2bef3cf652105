package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/** Pixel operations the front-ends share, on packed {@code TYPE_INT_RGB} images (Pillow's {@code paste} on a new canvas). */
final class ViewImages {

    private ViewImages() {}

    /** Pillow's {@code Image.new("RGB", (w, h), colour)} then {@code paste(img, (x, y))}; {@code img} must fit. */
    static BufferedImage pasteOn(BufferedImage img, int width, int height, int color, int x, int y) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (x < 0 || y < 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("paste of " + w + "x" + h + " at (" + x + ", " + y + ") leaves the "
                    + width + "x" + height + " canvas");
        }
        int[] src = GridMaps.pixels(img);
        int[] dst = new int[width * height];
        Arrays.fill(dst, color);
        for (int r = 0; r < h; r++) {
            System.arraycopy(src, r * w, dst, (r + y) * width + x, w);
        }
        return GridMaps.image(dst, width, height);
    }
}
