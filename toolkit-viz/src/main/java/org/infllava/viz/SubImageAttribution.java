package org.infllava.viz;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.infllava.dem.DualPerspectiveEnhancement;

/**
 * Crop-aware attribution: which sub-images drive the DEM's output.
 *
 * <p>For sub-features {@code localSubs, globalSubs: (N, h, w, d)} (one image, {@code N = n_W·n_H}, sub-image
 * {@code k = n_W·row + col}) the DEM output {@code out: (1, h', w', d)} is reduced to a scalar
 * {@code s = Σ out ⊙ r} with a fixed read-out {@code r} (standard normal from {@code seed}, optionally zero outside
 * one output token {@code (y, x)}). Then per sub-image {@code k} of each perspective
 * <pre>
 *   attribution_k = Σ_{v,u,c} (∂s / ∂F_k)[v, u, c] · F_k[v, u, c]          (gradient × input)
 * </pre>
 * 18 numbers for a 3×3 grid. A random read-out rather than {@code Σ out}: after the REFERENCE preset's final
 * LayerNorm the channel sum is the constant {@code Σ β}, so its gradient would vanish everywhere.
 *
 * <p>The REFERENCE preset's bilinear "pooling" at an odd factor reads only window centres, where both directions see
 * only global sub-image #4 (docs/dem.md): the other 8 global sub-images get exactly zero attribution, which the
 * heat map shows as white cells next to PAPER's 18 coloured ones.
 */
public final class SubImageAttribution {

    private final DualPerspectiveEnhancement dem;
    private final long seed;
    private final int tokenY;
    private final int tokenX;

    private SubImageAttribution(Builder b) {
        this.dem = b.dem;
        this.seed = b.seed;
        this.tokenY = b.tokenY;
        this.tokenX = b.tokenX;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Attribution of one image's sub-features.
     *
     * @param localSubs {@code (N, h, w, d)}
     * @param globalSubs {@code (N, h, w, d)}
     * @param lowRes {@code (1, h', w', d)} or {@code null}
     */
    public Attribution attribute(NDArray localSubs, NDArray globalSubs, NDArray lowRes) {
        int n = dem.config().columns() * dem.config().rows();
        Shape s = localSubs.getShape();
        if (s.dimension() != 4 || s.get(0) != n || !s.equals(globalSubs.getShape())) {
            throw new IllegalArgumentException("expected local and global sub-features (" + n + ", h, w, d) of one "
                    + "image, got " + s + " and " + globalSubs.getShape());
        }
        NDManager m = localSubs.getManager();
        NDArray l = localSubs.duplicate();
        NDArray g = globalSubs.duplicate();
        l.setRequiresGradient(true);
        g.setRequiresGradient(true);
        double value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = dem.forwardSubFeatures(new ParameterStore(m, false), l, g, lowRes, true); // (1, h', w', d)
            NDArray scalar = out.mul(readout(m, out.getShape())).sum();
            value = scalar.getFloat();
            gc.backward(scalar);
        }
        float[] local = l.getGradient().mul(l).sum(new int[] {1, 2, 3}).toFloatArray(); // (N,)
        float[] global = g.getGradient().mul(g).sum(new int[] {1, 2, 3}).toFloatArray(); // (N,)
        return new Attribution(dem.config().columns(), dem.config().rows(), local, global, value);
    }

    /** {@code r}: standard normal from the seed, zero outside the chosen token when one is set. */
    private NDArray readout(NDManager m, Shape out) {
        if (out.dimension() != 4 || (tokenY >= 0 && (tokenY >= out.get(1) || tokenX >= out.get(2)))) {
            throw new IllegalArgumentException("token (" + tokenY + ", " + tokenX + ") is outside the output " + out);
        }
        Random random = new Random(seed);
        float[] r = new float[(int) out.size()];
        int d = (int) out.get(3);
        int w = (int) out.get(2);
        for (int i = 0; i < r.length; i++) {
            float value = (float) random.nextGaussian();
            int token = i / d;
            r[i] = tokenY < 0 || (token / w == tokenY && token % w == tokenX) ? value : 0f;
        }
        return m.create(r, out);
    }

    /**
     * Gradient × input per sub-image.
     *
     * @param local {@code N} values, local sub-image {@code k} at index {@code k}
     * @param global {@code N} values
     * @param output the scalar {@code s} that was differentiated
     */
    public record Attribution(int columns, int rows, float[] local, float[] global, double output) {

        /** Sub-images of either perspective whose attribution is exactly zero. */
        public int deadCount(boolean globalPerspective) {
            int dead = 0;
            for (float v : globalPerspective ? global : local) {
                dead += v == 0f ? 1 : 0;
            }
            return dead;
        }

        /**
         * The heat map: the local grid on the left, the global grid on the right, {@code cell × cell} pixels per
         * sub-image, one cell of white between them; red for positive, blue for negative attribution, by magnitude
         * relative to the largest of all 2N values; exactly zero is white.
         */
        public BufferedImage heatmap(int cell) {
            if (cell < 1) {
                throw new IllegalArgumentException("cell must be at least 1 pixel, got " + cell);
            }
            float max = 0;
            for (int k = 0; k < local.length; k++) {
                max = Math.max(max, Math.max(Math.abs(local[k]), Math.abs(global[k])));
            }
            BufferedImage img = new BufferedImage((2 * columns + 1) * cell, rows * cell, BufferedImage.TYPE_INT_RGB);
            Graphics2D gr = img.createGraphics();
            try {
                gr.setColor(Color.WHITE);
                gr.fillRect(0, 0, img.getWidth(), img.getHeight());
                for (int k = 0; k < local.length; k++) {
                    int x = k % columns * cell;
                    int y = k / columns * cell;
                    gr.setColor(new Color(colour(local[k], max)));
                    gr.fillRect(x, y, cell, cell);
                    gr.setColor(new Color(colour(global[k], max)));
                    gr.fillRect(x + (columns + 1) * cell, y, cell, cell);
                }
            } finally {
                gr.dispose();
            }
            return img;
        }

        /** The cell colour of {@link #heatmap} for a value. */
        public static int colour(float value, float max) {
            if (value == 0f || max == 0f) {
                return 0xFFFFFF;
            }
            int fade = 255 - Math.round(255 * Math.min(1f, Math.abs(value) / max));
            return value > 0 ? 0xFF0000 | fade << 8 | fade : fade << 16 | fade << 8 | 0xFF;
        }
    }

    /** Builder: {@code setDem} is required. */
    public static final class Builder {
        private DualPerspectiveEnhancement dem;
        private long seed = 42;
        private int tokenY = -1;
        private int tokenX = -1;

        private Builder() {}

        /** The module (initialised). Required. */
        public Builder setDem(DualPerspectiveEnhancement dem) {
            this.dem = dem;
            return this;
        }

        /** Seed of the read-out direction {@code r}; default 42. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Attribute only output token {@code (y, x)} instead of the whole output. */
        public Builder optToken(int y, int x) {
            this.tokenY = y;
            this.tokenX = x;
            return this;
        }

        /** Validates: a module is set, a token (if set) has non-negative coordinates. */
        public SubImageAttribution build() {
            if (dem == null) {
                throw new IllegalArgumentException("setDem is required");
            }
            if ((tokenY < 0) != (tokenX < 0)) {
                throw new IllegalArgumentException("token coordinates must both be non-negative, got (" + tokenY
                        + ", " + tokenX + ")");
            }
            return new SubImageAttribution(this);
        }
    }
}
