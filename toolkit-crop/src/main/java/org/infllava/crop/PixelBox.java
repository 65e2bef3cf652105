package org.infllava.crop;

/**
 * A box in source pixels, half-open: columns {@code [x0, x1)}, rows {@code [y0, y1)}. Boxes of views lie inside
 * the source image; a view of the whole (possibly padded or squashed) image has the whole image as its box.
 */
public record PixelBox(int x0, int y0, int x1, int y1) {

    /** Validates. */
    public PixelBox {
        if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("box [" + x0 + ", " + y0 + ", " + x1 + ", " + y1
                    + "] must have 0 <= x0 < x1 and 0 <= y0 < y1");
        }
    }

    /** The whole {@code width × height} image. */
    public static PixelBox whole(int width, int height) {
        return new PixelBox(0, 0, width, height);
    }

    /** {@code x1 - x0}. */
    public int width() {
        return x1 - x0;
    }

    /** {@code y1 - y0}. */
    public int height() {
        return y1 - y0;
    }

    /** Whether the box lies inside a {@code width × height} image. */
    public boolean inside(int width, int height) {
        return x1 <= width && y1 <= height;
    }
}
