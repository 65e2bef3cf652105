package org.infllava.crop;

/**
 * Maps a span of a resized (and possibly padded or cropped) canvas back to the source pixels it was made from. A
 * canvas coordinate {@code c} stands for the source coordinate {@code (c + pre)·num/den − post}; a span
 * {@code [c0, c1)} becomes {@code [⌊(c0 + pre)·num/den⌋ − post, ⌈(c1 + pre)·num/den⌉ − post)}, clipped to
 * {@code [0, limit)}. A span that falls entirely in padding maps to nothing.
 */
final class SourceBoxes {

    private SourceBoxes() {}

    /**
     * The source span of canvas span {@code [c0, c1)}, or {@code null} when it lies wholly in padding.
     *
     * @return {@code {s0, s1}} with {@code 0 <= s0 < s1 <= limit}, or {@code null}
     */
    static int[] span(long c0, long c1, long pre, long num, long den, long post, int limit) {
        long s0 = Math.floorDiv((c0 + pre) * num, den) - post;
        long s1 = ceilDiv((c1 + pre) * num, den) - post;
        s0 = Math.max(0, s0);
        s1 = Math.min(limit, s1);
        return s1 > s0 ? new int[] {(int) s0, (int) s1} : null;
    }

    /** The source box of the canvas rectangle {@code [x0, x1) × [y0, y1)} under a plain resize of the whole image. */
    static PixelBox scaled(int x0, int y0, int x1, int y1, int canvasW, int canvasH, int srcW, int srcH) {
        int[] xs = span(x0, x1, 0, srcW, canvasW, 0, srcW);
        int[] ys = span(y0, y1, 0, srcH, canvasH, 0, srcH);
        return box(xs, ys);
    }

    /** A box from two spans; {@code null} when either is. */
    static PixelBox box(int[] xs, int[] ys) {
        return xs == null || ys == null ? null : new PixelBox(xs[0], ys[0], xs[1], ys[1]);
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
