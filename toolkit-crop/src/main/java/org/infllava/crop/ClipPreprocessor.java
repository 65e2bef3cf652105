package org.infllava.crop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Arrays;

/**
 * CLIP's image pre-processing: RGB conversion, bicubic resizing, padding to a square with the mean colour, and
 * mean/std normalisation into planar floats {@code (3, H, W)}.
 *
 * <p>Defaults are OpenAI CLIP's: mean {@code (0.48145466, 0.4578275, 0.40821073)}, std
 * {@code (0.26862954, 0.26130258, 0.27577711)}; the pad colour is {@code ⌊255·mean⌋ = (122, 116, 104)} as LLaVA's
 * {@code expand2square} computes it.
 *
 * <p>RGB conversion follows Pillow's {@code convert("RGB")} where it is well defined: grey is replicated, alpha is
 * dropped (not composited), palettes are looked up. Two deliberate differences: 16-bit samples are scaled to 8 bits
 * ({@code round(v·255/65535)}; Pillow clips them at 255), and CMYK JPEGs are read by {@code ImageFiles}.
 */
public final class ClipPreprocessor {

    /** OpenAI CLIP mean. */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** OpenAI CLIP standard deviation. */
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final float[] mean;
    private final float[] std;

    private ClipPreprocessor(Builder b) {
        this.mean = b.mean.clone();
        this.std = b.std.clone();
    }

    /** A builder with CLIP's mean and std. */
    public static Builder builder() {
        return new Builder();
    }

    /** The pre-processor with OpenAI CLIP's statistics. */
    public static ClipPreprocessor clip() {
        return builder().build();
    }

    /** Per-channel mean (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviation (a copy). */
    public float[] std() {
        return std.clone();
    }

    /** The pad colour for {@link #padToSquare}: {@code ⌊255·mean⌋} per channel, packed RGB. */
    public int padColor() {
        return meanColor(mean);
    }

    /** {@code ⌊255·mean⌋} per channel as packed RGB, LLaVA's {@code tuple(int(x*255) for x in mean)}. */
    public static int meanColor(float[] mean) {
        int r = (int) (mean[0] * 255);
        int g = (int) (mean[1] * 255);
        int b = (int) (mean[2] * 255);
        return (r << 16) | (g << 8) | b;
    }

    // ------------------------------------------------------------------------------------------------ conversion

    /**
     * Any decoded image to 8-bit {@code TYPE_INT_RGB}: grey replicated (samples read from the raster, not through
     * Java's linear-grey colour space), alpha dropped, 16-bit samples scaled, palettes looked up.
     */
    public static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int[] px = new int[w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int bits = raster.getSampleModel().getSampleSize(0);
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel);
        boolean rgbSpace = cm.getColorSpace().isCS_sRGB() && !(cm instanceof IndexColorModel);
        if (gray || (rgbSpace && bits != 8 && !cm.hasAlpha() && raster.getNumBands() >= 3)) {
            int bands = gray ? 1 : 3;
            int max = (1 << bits) - 1;
            int[] s = new int[raster.getNumBands()];
            for (int y = 0, i = 0; y < h; y++) {
                for (int x = 0; x < w; x++, i++) {
                    raster.getPixel(x, y, s);
                    int r = to8(s[0], max);
                    int g = bands == 1 ? r : to8(s[1], max);
                    int b = bands == 1 ? r : to8(s[2], max);
                    px[i] = (r << 16) | (g << 8) | b;
                }
            }
        } else if (rgbSpace && bits != 8 && raster.getNumBands() >= 3) {
            // 16-bit RGBA: colour samples scaled, alpha dropped.
            int max = (1 << bits) - 1;
            int[] s = new int[raster.getNumBands()];
            for (int y = 0, i = 0; y < h; y++) {
                for (int x = 0; x < w; x++, i++) {
                    raster.getPixel(x, y, s);
                    px[i] = (to8(s[0], max) << 16) | (to8(s[1], max) << 8) | to8(s[2], max);
                }
            }
        } else {
            // sRGB 8-bit, palettes, premultiplied alpha: getRGB converts; GridMaps.image drops the alpha byte.
            image.getRGB(0, 0, w, h, px, 0, w);
        }
        return GridMaps.image(px, w, h);
    }

    private static int to8(int v, int max) {
        return max == 255 ? v : (int) ((v * 255L + max / 2) / max);
    }

    // ------------------------------------------------------------------------------------------------- geometry

    /**
     * LLaVA's {@code expand2square}: the image centred on the longer side of a square filled with the pad colour
     * (offset {@code ⌊(max − w)/2⌋} or {@code ⌊(max − h)/2⌋}).
     */
    public BufferedImage padToSquare(BufferedImage rgb) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        if (w == h) {
            return rgb;
        }
        int side = Math.max(w, h);
        int[] src = GridMaps.pixels(rgb);
        int[] dst = new int[side * side];
        Arrays.fill(dst, padColor());
        int ox = (side - w) / 2;
        int oy = (side - h) / 2;
        for (int y = 0; y < h; y++) {
            System.arraycopy(src, y * w, dst, (y + oy) * side + ox, w);
        }
        return GridMaps.image(dst, side, side);
    }

    /** Pillow-compatible bicubic resize (see {@link Resampling#resizePil}); the same image when sizes match. */
    public static BufferedImage resize(BufferedImage rgb, int width, int height) {
        if (rgb.getWidth() == width && rgb.getHeight() == height) {
            return rgb;
        }
        int[] out = Resampling.resizePil(GridMaps.pixels(rgb), rgb.getWidth(), rgb.getHeight(), width, height);
        return GridMaps.image(out, width, height);
    }

    /**
     * CLIP's {@code resize(shortest_edge=side)} then {@code center_crop(side)}: the shorter side becomes {@code side},
     * the longer {@code ⌊side·long/short⌋}, then the centre square (offset {@code ⌊(len − side)/2⌋}) is kept.
     */
    public static BufferedImage resizeShortestEdgeAndCenterCrop(BufferedImage rgb, int side) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int rw = w <= h ? side : (int) ((long) side * w / h);
        int rh = w <= h ? (int) ((long) side * h / w) : side;
        BufferedImage resized = resize(rgb, rw, rh);
        int ox = (rw - side) / 2;
        int oy = (rh - side) / 2;
        int[] src = GridMaps.pixels(resized);
        int[] dst = new int[side * side];
        for (int y = 0; y < side; y++) {
            System.arraycopy(src, (y + oy) * rw + ox, dst, y * side, side);
        }
        return GridMaps.image(dst, side, side);
    }

    // ----------------------------------------------------------------------------------------------- normalising

    /** {@code (v/255 − mean_c) / std_c} into a planar {@code 3 × H × W} array. */
    public float[] normalize(BufferedImage rgb) {
        int[] px = GridMaps.pixels(rgb);
        int n = px.length;
        float[] out = new float[3 * n];
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            float m = mean[c];
            float s = std[c];
            for (int i = 0; i < n; i++) {
                out[c * n + i] = (((px[i] >> shift) & 0xFF) / 255f - m) / s;
            }
        }
        return out;
    }

    /** {@link #normalize} as a {@code (1, 3, H, W)} float32 tensor. */
    public NDArray toTensor(NDManager manager, BufferedImage rgb) {
        return manager.create(normalize(rgb), new Shape(1, 3, rgb.getHeight(), rgb.getWidth()));
    }

    /**
     * The low-resolution view as the reference code computes it: bicubic (PyTorch, {@code align_corners=False}, no
     * antialias) of the normalised high-resolution tensor down to {@code outH × outW}. At an odd integer factor
     * {@code f} it equals the centre-phase global sub-image {@code x[(f−1)/2 :: f, (f−1)/2 :: f]}.
     *
     * @param normalized planar {@code 3 × H × W}, as {@link #normalize} returns
     */
    public static float[] lowResReference(float[] normalized, int height, int width, int outH, int outW) {
        return Resampling.interpolateTorch(normalized, 3, height, width, outH, outW);
    }

    /**
     * The low-resolution view as the paper describes it: the image itself resized to the encoder's resolution with
     * CLIP's (Pillow) bicubic, before normalisation.
     */
    public static BufferedImage lowResPaper(BufferedImage rgb, int width, int height) {
        return resize(rgb, width, height);
    }

    /** Validating builder; defaults are CLIP's statistics. */
    public static final class Builder {
        private float[] mean = CLIP_MEAN.clone();
        private float[] std = CLIP_STD.clone();

        private Builder() {}

        /** Per-channel mean of {@code v/255}; default CLIP's. */
        public Builder optMean(float r, float g, float b) {
            this.mean = new float[] {r, g, b};
            return this;
        }

        /** Per-channel std of {@code v/255}; default CLIP's. */
        public Builder optStd(float r, float g, float b) {
            this.std = new float[] {r, g, b};
            return this;
        }

        /** Builds; std must be positive and mean within [0, 1]. */
        public ClipPreprocessor build() {
            for (int c = 0; c < 3; c++) {
                if (!(std[c] > 0)) {
                    throw new IllegalArgumentException("std must be positive, got std=" + Arrays.toString(std));
                }
                if (!(mean[c] >= 0 && mean[c] <= 1)) {
                    throw new IllegalArgumentException("mean must lie in [0, 1], got mean=" + Arrays.toString(mean));
                }
            }
            return new ClipPreprocessor(this);
        }
    }
}
