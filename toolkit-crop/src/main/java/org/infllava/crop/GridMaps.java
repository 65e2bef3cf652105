package org.infllava.crop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The index maps of the Dual-perspective Cropping Module and their exact inverses, for every kind of data.
 *
 * <p>One definition ({@link Perspective#source}) serves:
 * <ul>
 *   <li>packed pixels ({@code int[]} ARGB, row-major {@code H × W}) and {@link BufferedImage}s;</li>
 *   <li>planar float arrays ({@code float[]} of {@code C × H × W});</li>
 *   <li>DJL tensors in either layout: pixel tensors {@code (B, C, H, W)} ({@link Layout#CHANNELS_FIRST}) and feature
 *       maps {@code (B, H, W, C)} ({@link Layout#CHANNELS_LAST}). The tensor path factors each spatial axis into
 *       {@code (grid, sub)} for {@link Perspective#LOCAL} or {@code (sub, grid)} for {@link Perspective#GLOBAL} — the
 *       same factorisation as {@link Perspective#source} — so it is differentiable and needs no index tensor.</li>
 * </ul>
 * Cropping a canvas of {@code (H, W) = (n_H·h, n_W·w)} gives {@code N = n_W·n_H} sub-images of {@code h × w}, numbered
 * row-major ({@code k = n_W·row + col}); tensors are returned as {@code (B·N, …)} with sub-image {@code k} of batch item
 * {@code b} at index {@code b·N + k}. The re-crops {@code C_loc} and {@code C_glo} of §4.3 (eq. (18)-(19), (22)-(23))
 * are these same maps applied to feature maps.
 */
public final class GridMaps {

    /** Memory layout of a 4-D tensor. */
    public enum Layout {
        /** {@code (B, C, H, W)}: pixel tensors. */
        CHANNELS_FIRST,
        /** {@code (B, H, W, C)}: feature maps. */
        CHANNELS_LAST
    }

    /** Gather maps by (perspective, grid); a few entries at most in practice, bounded anyway. */
    private static final Map<MapKey, int[]> MAPS = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_MAPS = 32;

    private record MapKey(Perspective perspective, CropGrid grid) {}

    private GridMaps() {}

    // ------------------------------------------------------------------------------------------------ index maps

    /**
     * Flat canvas index ({@code y·W + x}) of position {@code (v, u)} of sub-image {@code k}: eq. (13) for
     * {@link Perspective#LOCAL}, eq. (17) for {@link Perspective#GLOBAL}.
     */
    public static int sourceIndex(Perspective perspective, CropGrid grid, int k, int v, int u) {
        int y = perspective.source(grid.rowOf(k), v, grid.rows(), grid.subHeight());
        int x = perspective.source(grid.colOf(k), u, grid.columns(), grid.subWidth());
        return y * grid.width() + x;
    }

    /**
     * The whole gather map: entry {@code k·h·w + v·w + u} holds the flat canvas index of position {@code (v, u)} of
     * sub-image {@code k}. Every canvas index occurs exactly once (the map is a permutation).
     */
    public static int[] gatherIndex(Perspective perspective, CropGrid grid) {
        return cachedMap(perspective, grid).clone();
    }

    /** The shared, read-only gather map (never hand it out: callers get a copy). */
    private static int[] cachedMap(Perspective perspective, CropGrid grid) {
        MapKey key = new MapKey(perspective, grid);
        int[] map = MAPS.get(key);
        if (map == null) {
            map = buildMap(perspective, grid);
            if (MAPS.size() >= MAX_CACHED_MAPS) {
                MAPS.clear();
            }
            MAPS.put(key, map);
        }
        return map;
    }

    private static int[] buildMap(Perspective perspective, CropGrid grid) {
        int h = grid.subHeight();
        int w = grid.subWidth();
        int[] map = new int[grid.count() * h * w];
        int[] xs = new int[w];
        int p = 0;
        for (int k = 0; k < grid.count(); k++) {
            int row = grid.rowOf(k);
            int col = grid.colOf(k);
            for (int u = 0; u < w; u++) {
                xs[u] = perspective.source(col, u, grid.columns(), w);
            }
            for (int v = 0; v < h; v++) {
                int rowBase = perspective.source(row, v, grid.rows(), h) * grid.width();
                for (int u = 0; u < w; u++) {
                    map[p++] = rowBase + xs[u];
                }
            }
        }
        return map;
    }

    // ---------------------------------------------------------------------------------------------- packed pixels

    /** Crops packed pixels (row-major {@code H × W}) into {@code N} sub-images of {@code h·w} pixels each. */
    public static int[][] crop(int[] canvas, CropGrid grid, Perspective perspective) {
        checkLength(canvas.length, (long) grid.width() * grid.height(), "canvas");
        int[] map = cachedMap(perspective, grid);
        int n = grid.subWidth() * grid.subHeight();
        int[][] subs = new int[grid.count()][n];
        for (int k = 0, p = 0; k < subs.length; k++) {
            int[] sub = subs[k];
            for (int i = 0; i < n; i++) {
                sub[i] = canvas[map[p++]];
            }
        }
        return subs;
    }

    /** The exact inverse of {@link #crop(int[], CropGrid, Perspective)}: eq. (5) or (6) on packed pixels. */
    public static int[] recombine(int[][] subs, CropGrid grid, Perspective perspective) {
        checkCount(subs.length, grid);
        int[] map = cachedMap(perspective, grid);
        int n = grid.subWidth() * grid.subHeight();
        int[] canvas = new int[grid.width() * grid.height()];
        for (int k = 0, p = 0; k < subs.length; k++) {
            checkLength(subs[k].length, n, "sub-image " + k);
            int[] sub = subs[k];
            for (int i = 0; i < n; i++) {
                canvas[map[p++]] = sub[i];
            }
        }
        return canvas;
    }

    // ----------------------------------------------------------------------------------------------- planar floats

    /** Crops a planar {@code C × H × W} float array into {@code N} planar {@code C × h × w} arrays. */
    public static float[][] crop(float[] canvas, int channels, CropGrid grid, Perspective perspective) {
        int plane = grid.width() * grid.height();
        checkLength(canvas.length, (long) channels * plane, "canvas");
        int[] map = cachedMap(perspective, grid);
        int n = grid.subWidth() * grid.subHeight();
        float[][] subs = new float[grid.count()][channels * n];
        for (int k = 0; k < subs.length; k++) {
            for (int c = 0; c < channels; c++) {
                int src = c * plane;
                int dst = c * n;
                int base = k * n;
                for (int i = 0; i < n; i++) {
                    subs[k][dst + i] = canvas[src + map[base + i]];
                }
            }
        }
        return subs;
    }

    /** The exact inverse of {@link #crop(float[], int, CropGrid, Perspective)}. */
    public static float[] recombine(float[][] subs, int channels, CropGrid grid, Perspective perspective) {
        checkCount(subs.length, grid);
        int plane = grid.width() * grid.height();
        int[] map = cachedMap(perspective, grid);
        int n = grid.subWidth() * grid.subHeight();
        float[] canvas = new float[channels * plane];
        for (int k = 0; k < subs.length; k++) {
            checkLength(subs[k].length, (long) channels * n, "sub-image " + k);
            for (int c = 0; c < channels; c++) {
                int dst = c * plane;
                int src = c * n;
                int base = k * n;
                for (int i = 0; i < n; i++) {
                    canvas[dst + map[base + i]] = subs[k][src + i];
                }
            }
        }
        return canvas;
    }

    // ----------------------------------------------------------------------------------------------------- images

    /** Crops an image whose size is exactly the grid's canvas into {@code N} RGB sub-images. */
    public static List<BufferedImage> crop(BufferedImage canvas, CropGrid grid, Perspective perspective) {
        if (canvas.getWidth() != grid.width() || canvas.getHeight() != grid.height()) {
            throw new IllegalArgumentException("image is " + canvas.getWidth() + "x" + canvas.getHeight()
                    + " but grid " + grid + " needs " + grid.width() + "x" + grid.height());
        }
        int[] src = rgbBuffer(canvas);
        if (src == null) {
            src = pixels(canvas);
        }
        int[] map = cachedMap(perspective, grid);
        int n = grid.subWidth() * grid.subHeight();
        List<BufferedImage> out = new ArrayList<>(grid.count());
        for (int k = 0; k < grid.count(); k++) {
            BufferedImage sub = new BufferedImage(grid.subWidth(), grid.subHeight(), BufferedImage.TYPE_INT_RGB);
            gatherRgb(src, map, k * n, rgbBuffer(sub), n);
            out.add(sub);
        }
        return out;
    }

    /** Recombines {@code N} sub-images into the canvas: eq. (5) for {@link Perspective#LOCAL}, eq. (6) for global. */
    public static BufferedImage recombine(List<BufferedImage> subs, CropGrid grid, Perspective perspective) {
        checkCount(subs.size(), grid);
        int[] map = cachedMap(perspective, grid);
        int n = grid.subWidth() * grid.subHeight();
        BufferedImage canvas = new BufferedImage(grid.width(), grid.height(), BufferedImage.TYPE_INT_RGB);
        int[] dst = rgbBuffer(canvas);
        for (int k = 0; k < subs.size(); k++) {
            BufferedImage s = subs.get(k);
            if (s.getWidth() != grid.subWidth() || s.getHeight() != grid.subHeight()) {
                throw new IllegalArgumentException("sub-image " + k + " is " + s.getWidth() + "x" + s.getHeight()
                        + ", grid " + grid + " needs " + grid.subWidth() + "x" + grid.subHeight());
            }
            int[] src = rgbBuffer(s);
            if (src == null) {
                src = pixels(s);
            }
            scatterRgb(src, map, k * n, dst, n);
        }
        return canvas;
    }

    /** {@code dst[i] = src[map[from + i]]} without the top byte; a small method so the JIT compiles it early. */
    private static void gatherRgb(int[] src, int[] map, int from, int[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = src[map[from + i]] & 0xFFFFFF;
        }
    }

    /** {@code dst[map[from + i]] = src[i]} without the top byte. */
    private static void scatterRgb(int[] src, int[] map, int from, int[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[map[from + i]] = src[i] & 0xFFFFFF;
        }
    }

    /**
     * The pixel array behind a plain {@code TYPE_INT_RGB} image (shared, not copied; the top byte may hold junk), or
     * {@code null} for any other image.
     */
    private static int[] rgbBuffer(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB && image.getRaster().getDataBuffer() instanceof DataBufferInt db
                && db.getNumBanks() == 1 && image.getRaster().getSampleModelTranslateX() == 0
                && image.getRaster().getSampleModelTranslateY() == 0
                && db.getData().length == image.getWidth() * image.getHeight()) {
            return db.getData();
        }
        return null;
    }

    /** The pixels of an image as packed RGB ints (a copy), row-major. */
    public static int[] pixels(BufferedImage image) {
        int[] data = rgbBuffer(image);
        int[] px;
        if (data != null) {
            px = new int[data.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = data[i] & 0xFFFFFF; // drawing may leave bits in the unused top byte
            }
        } else {
            px = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
            for (int i = 0; i < px.length; i++) {
                px[i] &= 0xFFFFFF;
            }
        }
        return px;
    }

    /** An INT_RGB image holding packed pixels (the array is copied). */
    public static BufferedImage image(int[] packed, int width, int height) {
        checkLength(packed.length, (long) width * height, "pixels");
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] dst = rgbBuffer(img);
        for (int i = 0; i < dst.length; i++) {
            dst[i] = packed[i] & 0xFFFFFF;
        }
        return img;
    }

    /** Local-perspective recombination {@code F_loc}, eq. (5): sub-images placed block by block. */
    public static BufferedImage recombineLocal(List<BufferedImage> subs, CropGrid grid) {
        return recombine(subs, grid, Perspective.LOCAL);
    }

    /** Global-perspective recombination {@code F_glo}, eq. (6): sub-images interleaved, {@code G[i::n_H, j::n_W]}. */
    public static BufferedImage recombineGlobal(List<BufferedImage> subs, CropGrid grid) {
        return recombine(subs, grid, Perspective.GLOBAL);
    }

    // ---------------------------------------------------------------------------------------------------- tensors

    /**
     * Crops a batch of canvases held in a tensor.
     *
     * @param canvas {@code (B, C, H, W)} for {@link Layout#CHANNELS_FIRST} or {@code (B, H, W, C)} for
     *     {@link Layout#CHANNELS_LAST}, with {@code H = n_H·h}, {@code W = n_W·w}
     * @return {@code (B·N, C, h, w)} or {@code (B·N, h, w, C)}, sub-image {@code k} of item {@code b} at {@code b·N + k}
     */
    public static NDArray crop(NDArray canvas, CropGrid grid, Perspective perspective, Layout layout) {
        Shape s = canvas.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("expected a 4-D tensor " + layoutName(layout) + ", got " + s);
        }
        long b = s.get(0);
        long c = layout == Layout.CHANNELS_FIRST ? s.get(1) : s.get(3);
        long hh = layout == Layout.CHANNELS_FIRST ? s.get(2) : s.get(1);
        long ww = layout == Layout.CHANNELS_FIRST ? s.get(3) : s.get(2);
        if (hh != grid.height() || ww != grid.width()) {
            throw new IllegalArgumentException("tensor " + s + " has spatial size " + hh + "x" + ww
                    + " (HxW) but grid " + grid + " needs " + grid.height() + "x" + grid.width());
        }
        Factored f = factored(b, c, grid, perspective, layout);
        return canvas.reshape(f.sixD) // (B, C, H1, H2, W1, W2) or (B, H1, H2, W1, W2, C)
                .transpose(f.toGridMajor) // (B, nH, nW, C, h, w) or (B, nH, nW, h, w, C)
                .reshape(f.subs); // (B·N, C, h, w) or (B·N, h, w, C)
    }

    /** The exact inverse of {@link #crop(NDArray, CropGrid, Perspective, Layout)}: eq. (5)-(6) on tensors. */
    public static NDArray recombine(NDArray subs, CropGrid grid, Perspective perspective, Layout layout) {
        Shape s = subs.getShape();
        if (s.dimension() != 4 || s.get(0) % grid.count() != 0) {
            throw new IllegalArgumentException("expected (B·N, ...) with N = " + grid.count() + " sub-images, got " + s);
        }
        long b = s.get(0) / grid.count();
        long c = layout == Layout.CHANNELS_FIRST ? s.get(1) : s.get(3);
        long h = layout == Layout.CHANNELS_FIRST ? s.get(2) : s.get(1);
        long w = layout == Layout.CHANNELS_FIRST ? s.get(3) : s.get(2);
        if (h != grid.subHeight() || w != grid.subWidth()) {
            throw new IllegalArgumentException("sub-images " + s + " are " + h + "x" + w + " (hxw) but grid " + grid
                    + " needs " + grid.subHeight() + "x" + grid.subWidth());
        }
        Factored f = factored(b, c, grid, perspective, layout);
        return subs.reshape(f.gridMajor) // (B, nH, nW, C, h, w) or (B, nH, nW, h, w, C)
                .transpose(f.fromGridMajor) // (B, C, H1, H2, W1, W2) or (B, H1, H2, W1, W2, C)
                .reshape(f.canvas); // (B, C, H, W) or (B, H, W, C)
    }

    /** Local-perspective recombination {@code F_loc} of sub-features, eq. (5): {@code (B·N, h, w, C) → (B, H, W, C)}. */
    public static NDArray recombineLocal(NDArray subs, CropGrid grid, Layout layout) {
        return recombine(subs, grid, Perspective.LOCAL, layout);
    }

    /** Global-perspective recombination {@code F_glo} of sub-features, eq. (6): the interleaving inverse of eq. (17). */
    public static NDArray recombineGlobal(NDArray subs, CropGrid grid, Layout layout) {
        return recombine(subs, grid, Perspective.GLOBAL, layout);
    }

    /** Shapes and permutations of the factored tensor path. */
    private record Factored(Shape sixD, int[] toGridMajor, Shape gridMajor, int[] fromGridMajor, Shape subs,
            Shape canvas) {}

    private static Factored factored(long b, long c, CropGrid g, Perspective p, Layout layout) {
        long nH = g.rows();
        long nW = g.columns();
        long h = g.subHeight();
        long w = g.subWidth();
        boolean outer = p.gridIsOuter();
        // Spatial axes of the 6-D view: H = (H1, H2), W = (W1, W2); the grid factor is H1/W1 when outer.
        long h1 = outer ? nH : h;
        long h2 = outer ? h : nH;
        long w1 = outer ? nW : w;
        long w2 = outer ? w : nW;
        int gH = outer ? 0 : 1; // offset of the grid factor inside its pair
        int sH = 1 - gH;
        if (layout == Layout.CHANNELS_FIRST) {
            // axes: 0 B, 1 C, 2 H1, 3 H2, 4 W1, 5 W2 -> (B, gridH, gridW, C, subH, subW)
            int[] perm = {0, 2 + gH, 4 + gH, 1, 2 + sH, 4 + sH};
            return new Factored(new Shape(b, c, h1, h2, w1, w2), perm, new Shape(b, nH, nW, c, h, w), inverse(perm),
                    new Shape(b * nH * nW, c, h, w), new Shape(b, c, nH * h, nW * w));
        }
        // axes: 0 B, 1 H1, 2 H2, 3 W1, 4 W2, 5 C -> (B, gridH, gridW, subH, subW, C)
        int[] perm = {0, 1 + gH, 3 + gH, 1 + sH, 3 + sH, 5};
        return new Factored(new Shape(b, h1, h2, w1, w2, c), perm, new Shape(b, nH, nW, h, w, c), inverse(perm),
                new Shape(b * nH * nW, h, w, c), new Shape(b, nH * h, nW * w, c));
    }

    private static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }

    private static String layoutName(Layout layout) {
        return layout == Layout.CHANNELS_FIRST ? "(B, C, H, W)" : "(B, H, W, C)";
    }

    private static void checkCount(int count, CropGrid grid) {
        if (count != grid.count()) {
            throw new IllegalArgumentException("grid " + grid + " needs " + grid.count() + " sub-images, got " + count);
        }
    }

    private static void checkLength(int actual, long expected, String what) {
        if (actual != expected) {
            throw new IllegalArgumentException(what + " holds " + actual + " values, expected " + expected);
        }
    }
}
