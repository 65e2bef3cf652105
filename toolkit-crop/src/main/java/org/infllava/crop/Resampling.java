package org.infllava.crop;

/**
 * The two bicubic resamplers that CLIP pipelines use, reimplemented exactly.
 *
 * <ul>
 *   <li>{@link #resizePil}: Pillow's {@code Image.resize(size, BICUBIC)} on 8-bit RGB — separable, cubic kernel with
 *       {@code a = −0.5}, support widened by the scale factor when shrinking (antialiasing), 22-bit fixed-point
 *       coefficients, horizontal pass first with an 8-bit intermediate. This is what CLIP's and LLaVA's image
 *       processors run on pixels. Measured against Pillow 9.4 on the committed fixtures: identical bytes
 *       (see {@code docs/preprocessing.md}).</li>
 *   <li>{@link #interpolateTorch}: PyTorch's {@code F.interpolate(mode="bicubic", align_corners=False)} without
 *       antialiasing ({@code a = −0.75}, border-clamped taps), on planar floats. The reference code computes its
 *       low-resolution view this way from the normalised high-resolution tensor.</li>
 * </ul>
 */
public final class Resampling {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampling() {}

    /**
     * Pillow-compatible bicubic resize of packed RGB pixels.
     *
     * @param rgb row-major packed {@code 0xRRGGBB} pixels of {@code inW × inH}
     * @return row-major packed pixels of {@code outW × outH}
     */
    public static int[] resizePil(int[] rgb, int inW, int inH, int outW, int outH) {
        if (inW < 1 || inH < 1 || outW < 1 || outH < 1) {
            throw new IllegalArgumentException("resize " + inW + "x" + inH + " -> " + outW + "x" + outH
                    + ": sizes must be positive");
        }
        if (rgb.length != inW * inH) {
            throw new IllegalArgumentException("pixels hold " + rgb.length + " values, expected " + inW * inH);
        }
        int[] out = rgb;
        if (outW != inW) {
            out = pass(out, inW, inH, outW, true);
        }
        if (outH != inH) {
            out = pass(out, outW, inH, outH, false);
        }
        return out == rgb ? rgb.clone() : out;
    }

    /** One separable pass of {@link #resizePil}, along x when {@code horizontal}, else along y. */
    private static int[] pass(int[] in, int w, int h, int outLen, boolean horizontal) {
        int inLen = horizontal ? w : h;
        Coefficients c = pilCoefficients(inLen, outLen);
        int outW = horizontal ? outLen : w;
        int outH = horizontal ? h : outLen;
        int[] out = new int[outW * outH];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = horizontal ? x : y;
                int min = c.bounds[2 * o];
                int n = c.bounds[2 * o + 1];
                int kBase = o * c.kernelSize;
                int r = half;
                int g = half;
                int b = half;
                for (int t = 0; t < n; t++) {
                    int p = horizontal ? in[y * w + min + t] : in[(min + t) * w + x];
                    int k = c.weights[kBase + t];
                    r += ((p >> 16) & 0xFF) * k;
                    g += ((p >> 8) & 0xFF) * k;
                    b += (p & 0xFF) * k;
                }
                out[y * outW + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
        return out;
    }

    private record Coefficients(int kernelSize, int[] bounds, int[] weights) {}

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for the bicubic filter. */
    private static Coefficients pilCoefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 2.0 * filterScale;
        int kernelSize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] weights = new int[outSize * kernelSize];
        double[] k = new double[kernelSize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = pilBicubic((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * kernelSize + x] = (int) (w * (1 << PRECISION_BITS) + (w < 0 ? -0.5 : 0.5));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return new Coefficients(kernelSize, bounds, weights);
    }

    /** Pillow's cubic kernel with {@code a = −0.5}. */
    private static double pilBicubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private static int clip8(int v) {
        if (v >= (1 << PRECISION_BITS << 8)) {
            return 255;
        }
        if (v <= 0) {
            return 0;
        }
        return v >> PRECISION_BITS;
    }

    /**
     * PyTorch-compatible {@code F.interpolate(x, size=(outH, outW), mode="bicubic", align_corners=False)} on one
     * planar {@code C × H × W} float array (no antialiasing).
     *
     * <p>Source coordinate {@code s = (d + 0.5)·in/out − 0.5}; taps {@code ⌊s⌋−1 … ⌊s⌋+2} clamped to the border;
     * cubic convolution with {@code A = −0.75}. At an odd integer factor {@code f} every {@code s = f·d + (f−1)/2} is
     * an integer and the result is the strided sample {@code x[(f−1)/2 :: f]} exactly.
     */
    public static float[] interpolateTorch(float[] chw, int channels, int inH, int inW, int outH, int outW) {
        if (chw.length != channels * inH * inW) {
            throw new IllegalArgumentException("array holds " + chw.length + " values, expected " + channels + "x"
                    + inH + "x" + inW);
        }
        float scaleH = (float) inH / outH;
        float scaleW = (float) inW / outW;
        int[] x0 = new int[outW];
        float[][] wx = new float[outW][];
        for (int ox = 0; ox < outW; ox++) {
            float real = scaleW * (ox + 0.5f) - 0.5f;
            int f = (int) Math.floor(real);
            x0[ox] = f;
            wx[ox] = torchCubicCoefficients(real - f);
        }
        float[] out = new float[channels * outH * outW];
        float[] rows = new float[4];
        for (int c = 0; c < channels; c++) {
            int plane = c * inH * inW;
            for (int oy = 0; oy < outH; oy++) {
                float real = scaleH * (oy + 0.5f) - 0.5f;
                int fy = (int) Math.floor(real);
                float[] wy = torchCubicCoefficients(real - fy);
                for (int ox = 0; ox < outW; ox++) {
                    for (int i = 0; i < 4; i++) {
                        int yy = clamp(fy - 1 + i, inH);
                        int base = plane + yy * inW;
                        float acc = 0;
                        for (int j = 0; j < 4; j++) {
                            acc += in(chw, base, clamp(x0[ox] - 1 + j, inW)) * wx[ox][j];
                        }
                        rows[i] = acc;
                    }
                    out[c * outH * outW + oy * outW + ox] =
                            rows[0] * wy[0] + rows[1] * wy[1] + rows[2] * wy[2] + rows[3] * wy[3];
                }
            }
        }
        return out;
    }

    private static float in(float[] a, int base, int x) {
        return a[base + x];
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }

    /** PyTorch's {@code get_cubic_upsample_coefficients} with {@code A = −0.75}. */
    private static float[] torchCubicCoefficients(float t) {
        final float a = -0.75f;
        float x1 = t;
        float x2 = 1.0f - t;
        return new float[] {
            cubic2(x1 + 1.0f, a), cubic1(x1, a), cubic1(x2, a), cubic2(x2 + 1.0f, a)
        };
    }

    private static float cubic1(float x, float a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static float cubic2(float x, float a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
}
