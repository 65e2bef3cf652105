package org.infllava.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import org.infllava.crop.CropGrid;
import org.infllava.crop.GridMaps;
import org.infllava.crop.Perspective;
import org.infllava.dem.DualPerspectiveEnhancement;

/**
 * DEM attention of one query token, projected back to pixels of the source canvas.
 *
 * <p>Three index maps, all from {@link GridMaps} (no second copy of eq. (13)/(17)):
 * <ol>
 *   <li>a position {@code (Y, X)} of a recombined {@code (H, W) = (n_H·h, n_W·w)} token map of perspective
 *       {@code P} (eq. 5 for {@code F^loc}, eq. 6 for {@code F^glo}) is token {@code (v, u)} of sub-image {@code k}
 *       of {@code P} — {@link #subToken};</li>
 *   <li>the DEM cuts its attention windows from the maps with the pairing's re-crop ({@code C_loc} or
 *       {@code C_glo}), so key token {@code t'} of window {@code k} is map position
 *       {@code GridMaps.sourceIndex(windows, tokenGrid, k, t' / w, t' % w)};</li>
 *   <li>token {@code (k, v, u)} of perspective {@code P} covers the {@code patch × patch} pixels
 *       {@code (v·patch + a, u·patch + b)} of sub-image {@code k}, which are canvas pixels
 *       {@code GridMaps.sourceIndex(P, pixelGrid, k, v·patch + a, u·patch + b)} — {@link #sourcePixels}: a contiguous
 *       block for {@link Perspective#LOCAL}, a strided lattice (step {@code n_W} across, {@code n_H} down) for
 *       {@link Perspective#GLOBAL}.</li>
 * </ol>
 * Shapes: maps {@code (1, H, W, d)}; the pixel grid is the crop's {@code (n_W, n_H, w·patch, h·patch)}.
 */
public final class AttentionPictures {

    private AttentionPictures() {}

    /** Token {@code (v, u)} of sub-image {@code k} of one perspective. */
    public record SubToken(int k, int v, int u) {}

    /**
     * A query token's attention spread over the canvas.
     *
     * @param width canvas width in pixels ({@code n_W·w·patch})
     * @param height canvas height in pixels
     * @param weights {@code height × width} row-major: each key token's weight (mean over heads) split evenly over
     *     its {@code patch²} source pixels, so the array sums to 1
     * @param queryPixels flat canvas indices ({@code y·width + x}) of the query token's own source pixels
     */
    public record AttentionMap(int width, int height, float[] weights, int[] queryPixels) {

        /** Weight at canvas pixel {@code (x, y)}. */
        public float at(int x, int y) {
            return weights[y * width + x];
        }

        /** Heat map: black to red to yellow by weight relative to the maximum; query pixels cyan. */
        public BufferedImage heatmap() {
            float max = 0;
            for (float w : weights) {
                max = Math.max(max, w);
            }
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < weights.length; i++) {
                float r = max > 0 ? weights[i] / max : 0;
                int red = Math.round(255 * Math.min(1f, 2 * r));
                int green = Math.round(255 * Math.max(0f, 2 * r - 1));
                img.setRGB(i % width, i / width, red << 16 | green << 8);
            }
            for (int i : queryPixels) {
                img.setRGB(i % width, i / width, Color.CYAN.getRGB());
            }
            return img;
        }

        /** The heat map blended half and half over {@code canvas} (same size). */
        public BufferedImage overlay(BufferedImage canvas) {
            if (canvas.getWidth() != width || canvas.getHeight() != height) {
                throw new IllegalArgumentException("canvas is " + canvas.getWidth() + "x" + canvas.getHeight()
                        + ", the attention map " + width + "x" + height);
            }
            BufferedImage heat = heatmap();
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int a = canvas.getRGB(x, y);
                    int b = heat.getRGB(x, y);
                    int mix = 0;
                    for (int shift = 0; shift <= 16; shift += 8) {
                        mix |= (((a >> shift & 0xFF) + (b >> shift & 0xFF)) / 2) << shift;
                    }
                    out.setRGB(x, y, mix);
                }
            }
            return out;
        }
    }

    /**
     * Canvas pixels covered by token {@code (v, u)} of sub-image {@code k} of {@code perspective}: flat indices
     * {@code y·W + x}, row-major over the token's {@code patch × patch} sub-image pixels.
     *
     * @param pixelGrid the crop grid in pixels ({@code subWidth = w·patch})
     */
    public static int[] sourcePixels(Perspective perspective, CropGrid pixelGrid, int patch, int k, int v, int u) {
        if (patch < 1 || pixelGrid.subWidth() % patch != 0 || pixelGrid.subHeight() % patch != 0 || k < 0
                || k >= pixelGrid.count() || v < 0 || u < 0 || (v + 1) * patch > pixelGrid.subHeight()
                || (u + 1) * patch > pixelGrid.subWidth()) {
            throw new IllegalArgumentException("no token (k=" + k + ", v=" + v + ", u=" + u + ") with patch " + patch
                    + " in " + pixelGrid);
        }
        int[] out = new int[patch * patch];
        for (int a = 0; a < patch; a++) {
            for (int b = 0; b < patch; b++) {
                out[a * patch + b] = GridMaps.sourceIndex(perspective, pixelGrid, k, v * patch + a, u * patch + b);
            }
        }
        return out;
    }

    /** The bounding rectangle of {@link #sourcePixels} (for {@link Perspective#GLOBAL} only every n-th pixel in it). */
    public static Rectangle sourceBounds(Perspective perspective, CropGrid pixelGrid, int patch, int k, int v, int u) {
        int[] px = sourcePixels(perspective, pixelGrid, patch, k, v, u);
        int w = pixelGrid.width();
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int i : px) {
            x0 = Math.min(x0, i % w);
            x1 = Math.max(x1, i % w);
            y0 = Math.min(y0, i / w);
            y1 = Math.max(y1, i / w);
        }
        return new Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /**
     * Which sub-image token sits at {@code (y, x)} of a recombined token map of {@code perspective} (the inverse of
     * eq. 5 for {@code F^loc}, of eq. 6 for {@code F^glo}).
     *
     * @param tokenGrid the grid in tokens ({@code subWidth = w})
     */
    public static SubToken subToken(Perspective perspective, CropGrid tokenGrid, int y, int x) {
        int flat = y * tokenGrid.width() + x;
        int[] gather = GridMaps.gatherIndex(perspective, tokenGrid);
        int t = tokenGrid.subWidth() * tokenGrid.subHeight();
        for (int i = 0; i < gather.length; i++) {
            if (gather[i] == flat) {
                return new SubToken(i / t, i % t / tokenGrid.subWidth(), i % tokenGrid.subWidth());
            }
        }
        throw new IllegalArgumentException("(" + y + ", " + x + ") is outside the " + tokenGrid.width() + "x"
                + tokenGrid.height() + " token map");
    }

    /**
     * The attention of the token at {@code (y, x)} of the {@code query} map ({@link Perspective#GLOBAL}: the global
     * map queries the local one, eq. 20; {@link Perspective#LOCAL}: the local map queries the global one, eq. 24),
     * averaged over heads and projected to canvas pixels.
     *
     * @param local {@code F^loc (1, H, W, d)}
     * @param global {@code F^glo (1, H, W, d)}
     * @param pixelGrid the crop grid in pixels; {@code patch = pixelGrid.subWidth() / w}
     */
    public static AttentionMap project(DualPerspectiveEnhancement dem, NDArray local, NDArray global,
            Perspective query, int y, int x, CropGrid pixelGrid) {
        Shape s = local.getShape();
        if (s.dimension() != 4 || s.get(0) != 1) {
            throw new IllegalArgumentException("expected maps (1, H, W, d), got " + s);
        }
        int cols = dem.config().columns();
        int rows = dem.config().rows();
        CropGrid tokens = CropGrid.of(cols, rows, (int) s.get(2) / cols, (int) s.get(1) / rows);
        if (pixelGrid.columns() != cols || pixelGrid.rows() != rows || pixelGrid.subWidth() % tokens.subWidth() != 0
                || pixelGrid.subWidth() / tokens.subWidth() != pixelGrid.subHeight() / tokens.subHeight()) {
            throw new IllegalArgumentException("pixel grid " + pixelGrid + " does not hold the token grid " + tokens
                    + " with one square patch size");
        }
        int patch = pixelGrid.subWidth() / tokens.subWidth();
        Perspective windows = query == Perspective.GLOBAL ? dem.config().pairing().globalQueryWindows()
                : dem.config().pairing().localQueryWindows();
        Perspective key = query == Perspective.GLOBAL ? Perspective.LOCAL : Perspective.GLOBAL;
        SubToken inWindow = subToken(windows, tokens, y, x); // window k, token t = v·w + u
        int t = tokens.subWidth() * tokens.subHeight();
        float[] row;
        try (NDScope scope = new NDScope()) {
            NDArray a = dem.attentionWeights(new ParameterStore(local.getManager(), false), local, global, query); // (N, nh, T, T)
            row = a.get(new NDIndex("{}, :, {}, :", inWindow.k(), inWindow.v() * tokens.subWidth() + inWindow.u()))
                    .mean(new int[] {0}).toFloatArray(); // (T,) mean over heads
        }
        float[] weights = new float[pixelGrid.width() * pixelGrid.height()];
        int[] gather = GridMaps.gatherIndex(windows, tokens);
        for (int j = 0; j < t; j++) {
            int pos = gather[inWindow.k() * t + j]; // key map position of key token j of this window
            SubToken kt = subToken(key, tokens, pos / tokens.width(), pos % tokens.width());
            for (int px : sourcePixels(key, pixelGrid, patch, kt.k(), kt.v(), kt.u())) {
                weights[px] += row[j] / (patch * patch);
            }
        }
        SubToken q = subToken(query, tokens, y, x);
        return new AttentionMap(pixelGrid.width(), pixelGrid.height(), weights,
                sourcePixels(query, pixelGrid, patch, q.k(), q.v(), q.u()));
    }
}
