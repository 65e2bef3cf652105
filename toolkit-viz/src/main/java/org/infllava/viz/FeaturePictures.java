package org.infllava.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Feature maps as pictures: the top three principal components of the {@code d}-dimensional tokens of an
 * {@code h × w} map become red, green and blue.
 *
 * <p>{@link #pca(float[], int, int, int)} centres the {@code h·w} tokens, forms the {@code d × d} covariance and
 * takes its top eigenvectors by power iteration with deflation (plain Java, deterministic start). Each eigenvector's
 * sign is fixed so that its largest-magnitude coefficient is positive. Each component's projections are scaled to
 * {@code 0..255} by their own min/max; a component with no spread, less than
 * {@code 1e-6} of the first one's variance (rounding), or missing ({@code d < 3}) is black.
 *
 * <p>Typical use: local map {@code F^loc}, global map {@code F^glo} and the DEM output side by side with
 * {@link #sideBySide(int, List, List)}. Each panel has its own basis, so compare structure, not colours.
 */
public final class FeaturePictures {

    private static final int ITERATIONS = 500;
    /** A component whose variance is below this share of the first one's is rounding noise and left black. */
    private static final double NEGLIGIBLE = 1e-6;

    private FeaturePictures() {}

    /**
     * The principal components of one map.
     *
     * @param components {@code (3, d)} row-major unit eigenvectors, strongest first (zero rows when absent)
     * @param variances the three eigenvalues of the covariance, descending
     * @param projections {@code (3, h·w)} row-major token projections onto the components
     */
    public record Pca(int h, int w, int d, float[] components, double[] variances, float[] projections) {

        /** Projection of token {@code (y, x)} on component {@code c}. */
        public float projection(int c, int y, int x) {
            return projections[c * h * w + y * w + x];
        }
    }

    /**
     * Top-3 PCA of a feature map.
     *
     * @param features {@code (h, w, d)} row-major (channels last, as DEM maps {@code (1, H, W, d)} flatten)
     */
    public static Pca pca(float[] features, int h, int w, int d) {
        if (h < 1 || w < 1 || d < 1 || features.length != (long) h * w * d) {
            throw new IllegalArgumentException("expected h·w·d = " + h + "·" + w + "·" + d + " features, got "
                    + features.length);
        }
        int n = h * w;
        double[] mean = new double[d];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < d; c++) {
                mean[c] += features[t * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        double[][] cov = new double[d][d];
        double[] centred = new double[d];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < d; c++) {
                centred[c] = features[t * d + c] - mean[c];
            }
            for (int a = 0; a < d; a++) {
                for (int b = a; b < d; b++) {
                    cov[a][b] += centred[a] * centred[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                cov[a][b] /= n;
                cov[b][a] = cov[a][b];
            }
        }
        float[] components = new float[3 * d];
        double[] variances = new double[3];
        for (int k = 0; k < Math.min(3, d); k++) {
            double[] v = topEigenvector(cov);
            double lambda = rayleigh(cov, v);
            if (!(lambda > 0) || (k > 0 && lambda < NEGLIGIBLE * variances[0])) {
                break; // nothing left to explain but rounding
            }
            variances[k] = lambda;
            for (int c = 0; c < d; c++) {
                components[k * d + c] = (float) v[c];
            }
            for (int a = 0; a < d; a++) { // deflate: cov -= λ v vᵀ
                for (int b = 0; b < d; b++) {
                    cov[a][b] -= lambda * v[a] * v[b];
                }
            }
        }
        float[] proj = new float[3 * n];
        for (int k = 0; k < 3; k++) {
            for (int t = 0; t < n; t++) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    s += (features[t * d + c] - mean[c]) * components[k * d + c];
                }
                proj[k * n + t] = (float) s;
            }
        }
        return new Pca(h, w, d, components, variances, proj);
    }

    /** {@link #pca} as an {@code w × h} RGB image: component 0 red, 1 green, 2 blue, each min/max-scaled. */
    public static BufferedImage pcaRgb(float[] features, int h, int w, int d) {
        return rgb(pca(features, h, w, d));
    }

    /** {@link #pcaRgb(float[], int, int, int)} of a map {@code (1, H, W, d)} or {@code (H, W, d)}. */
    public static BufferedImage pcaRgb(NDArray map) {
        Shape s = map.getShape();
        int o = s.dimension() - 3;
        if (o < 0 || o > 1 || (o == 1 && s.get(0) != 1)) {
            throw new IllegalArgumentException("expected a feature map (1, H, W, d) or (H, W, d), got " + s);
        }
        return pcaRgb(map.toFloatArray(), (int) s.get(o), (int) s.get(o + 1), (int) s.get(o + 2));
    }

    /** The PCA as RGB. */
    public static BufferedImage rgb(Pca p) {
        int n = p.h() * p.w();
        int[][] channel = new int[3][n];
        for (int k = 0; k < 3; k++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < n; t++) {
                lo = Math.min(lo, p.projections()[k * n + t]);
                hi = Math.max(hi, p.projections()[k * n + t]);
            }
            for (int t = 0; t < n; t++) {
                channel[k][t] = hi > lo ? Math.round(255f * (p.projections()[k * n + t] - lo) / (hi - lo)) : 0;
            }
        }
        BufferedImage img = new BufferedImage(p.w(), p.h(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < p.h(); y++) {
            for (int x = 0; x < p.w(); x++) {
                int t = y * p.w() + x;
                img.setRGB(x, y, channel[0][t] << 16 | channel[1][t] << 8 | channel[2][t]);
            }
        }
        return img;
    }

    /**
     * Panels left to right, each enlarged by the integer {@code scale} (nearest neighbour, so one token stays one
     * block), {@code scale} pixels of white between them and a caption strip above when {@code labels} is non-empty.
     *
     * @param labels one per panel, or empty
     */
    public static BufferedImage sideBySide(int scale, List<BufferedImage> panels, List<String> labels) {
        if (scale < 1 || panels.isEmpty() || (!labels.isEmpty() && labels.size() != panels.size())) {
            throw new IllegalArgumentException("need scale >= 1, at least one panel and one label per panel (or none):"
                    + " scale=" + scale + " panels=" + panels.size() + " labels=" + labels.size());
        }
        int gap = scale;
        int caption = labels.isEmpty() ? 0 : 16;
        int width = gap;
        int height = 0;
        for (BufferedImage p : panels) {
            width += p.getWidth() * scale + gap;
            height = Math.max(height, p.getHeight() * scale);
        }
        BufferedImage out = new BufferedImage(width, caption + height + 2 * gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int x = gap;
            for (int i = 0; i < panels.size(); i++) {
                BufferedImage p = panels.get(i);
                g.drawImage(p, x, caption + gap, p.getWidth() * scale, p.getHeight() * scale, null);
                if (!labels.isEmpty()) {
                    g.setColor(Color.BLACK);
                    g.drawString(labels.get(i), x, 13);
                }
                x += p.getWidth() * scale + gap;
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static double[] topEigenvector(double[][] m) {
        int d = m.length;
        double[] v = new double[d];
        for (int c = 0; c < d; c++) {
            v[c] = 1.0 + 0.01 * c; // deterministic start with a share of every direction
        }
        normalise(v);
        for (int it = 0; it < ITERATIONS; it++) {
            double[] next = multiply(m, v);
            if (normalise(next) == 0) {
                return v;
            }
            double diff = 0;
            for (int c = 0; c < d; c++) {
                diff = Math.max(diff, Math.abs(next[c] - v[c]));
            }
            v = next;
            if (diff < 1e-12) {
                break;
            }
        }
        int big = 0;
        for (int c = 1; c < d; c++) {
            big = Math.abs(v[c]) > Math.abs(v[big]) ? c : big;
        }
        if (v[big] < 0) {
            for (int c = 0; c < d; c++) {
                v[c] = -v[c];
            }
        }
        return v;
    }

    private static double[] multiply(double[][] m, double[] v) {
        double[] r = new double[v.length];
        for (int a = 0; a < v.length; a++) {
            double s = 0;
            for (int b = 0; b < v.length; b++) {
                s += m[a][b] * v[b];
            }
            r[a] = s;
        }
        return r;
    }

    private static double rayleigh(double[][] m, double[] v) {
        double[] mv = multiply(m, v);
        double s = 0;
        for (int c = 0; c < v.length; c++) {
            s += v[c] * mv[c];
        }
        return s;
    }

    private static double normalise(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        s = Math.sqrt(s);
        if (s > 0) {
            for (int c = 0; c < v.length; c++) {
                v[c] /= s;
            }
        }
        return s;
    }
}
