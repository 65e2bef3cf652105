package org.infllava.dem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The poolings of the paper and the published code. */
public enum StandardPooling implements Pooling {
    /** The paper's average pooling over {@code n_H × n_W} windows, stride the same (eq. (7)). */
    AVERAGE {
        @Override
        public NDArray pool(NDArray map, int columns, int rows) {
            Shape s = check(map, columns, rows);
            long h = s.get(1) / rows;
            long w = s.get(2) / columns;
            return map.reshape(s.get(0), h, rows, w, columns, s.get(3)) // (B, h, nH, w, nW, d)
                    .mean(new int[] {4}) // (B, h, nH, w, d): the PyTorch engine reduces one axis at a time
                    .mean(new int[] {2}); // (B, h, w, d)
        }

        @Override
        public boolean averaging() {
            return true;
        }
    },
    /**
     * The published code: {@code F.interpolate(mode="bilinear", align_corners=False)} from {@code H × W} to
     * {@code h × w}, no antialias. Source row {@code (i + 0.5)·n_H − 0.5}: at an odd integer factor that is the integer
     * {@code n_H·i + (n_H−1)/2}, so the "pooling" samples the window centres — at factor 3 positions (3i+1, 3j+1) —
     * and the other {@code n² − 1} tokens of each window get no gradient. At even factors it averages the two
     * middle tokens of each window.
     */
    BILINEAR_REFERENCE {
        @Override
        public NDArray pool(NDArray map, int columns, int rows) {
            Shape s = check(map, columns, rows);
            long bb = s.get(0);
            long hh = s.get(1);
            long ww = s.get(2);
            long d = s.get(3);
            int h = (int) (hh / rows);
            int w = (int) (ww / columns);
            NDManager m = map.getManager();
            // Copies in PyTorch-owned memory: autograd saves them for backward (see NamedBlock.scalar).
            NDArray wy = m.create(bilinearMatrix((int) hh, h), new Shape(h, hh)).toDevice(map.getDevice(), false)
                    .toType(map.getDataType(), true);
            NDArray wx = m.create(bilinearMatrix((int) ww, w), new Shape(w, ww)).toDevice(map.getDevice(), false)
                    .toType(map.getDataType(), true);
            NDArray y = wy.matMul(map.reshape(bb, hh, ww * d)) // (B, h, W·d)
                    .reshape(bb, h, ww, d) // (B, h, W, d)
                    .transpose(0, 1, 3, 2); // (B, h, d, W)
            return y.matMul(wx.transpose()) // (B, h, d, w)
                    .transpose(0, 1, 3, 2); // (B, h, w, d)
        }

        /**
         * With an odd factor the source coordinate {@code factor·(o + ½) − ½ = factor·o + (factor − 1)/2} is an
         * integer: each output is one input position, weight 1.
         */
        @Override
        public int[] pointSampleOffsets(int columns, int rows) {
            return columns % 2 == 1 && rows % 2 == 1 ? new int[] {(rows - 1) / 2, (columns - 1) / 2} : null;
        }

        /** Each row of the bilinear matrices sums to 1. */
        @Override
        public boolean averaging() {
            return true;
        }
    },
    /** No pooling: every token of the {@code H × W} map goes on (a costly ablation). */
    NONE {
        @Override
        public NDArray pool(NDArray map, int columns, int rows) {
            check(map, columns, rows);
            return map;
        }

        @Override
        public boolean keepsResolution() {
            return true;
        }
    };

    private static Shape check(NDArray map, int columns, int rows) {
        Shape s = map.getShape();
        if (s.dimension() != 4 || s.get(1) % rows != 0 || s.get(2) % columns != 0) {
            throw new IllegalArgumentException("expected a (B, H, W, d) map divisible by the " + columns + "x" + rows
                    + " grid, got " + s);
        }
        return s;
    }

    /**
     * PyTorch's 1-D bilinear weights ({@code align_corners=False}, no antialias) as an {@code out × in} matrix: source
     * {@code max(0, (o + 0.5)·in/out − 0.5)}, taps {@code ⌊src⌋} and {@code min(⌊src⌋ + 1, in − 1)}.
     */
    static float[] bilinearMatrix(int in, int out) {
        float[] m = new float[out * in];
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            float src = Math.max(0f, scale * (o + 0.5f) - 0.5f);
            int i0 = (int) src;
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            float l1 = src - i0;
            m[o * in + i0] += 1f - l1;
            m[o * in + i1] += l1;
        }
        return m;
    }
}
