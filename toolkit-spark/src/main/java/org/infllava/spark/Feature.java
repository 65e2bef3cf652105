package org.infllava.spark;

import java.util.Arrays;

/**
 * The pre-projector visual features of one image ({@code InfLlavaModel.visualFeatures}), as stored in a features
 * Parquet file: one row per image.
 *
 * @param imageId the image's path relative to the image folder ({@code /}-separated)
 * @param frontEnd the model's front-end (its crop strategy's name) that produced them
 * @param shape the tensor's shape, {@code (1, T_v, d_v)}
 * @param values the tensor's values in row-major order
 */
public record Feature(String imageId, String frontEnd, int[] shape, float[] values) {

    public Feature {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("image " + imageId + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " values, got " + values.length);
        }
    }

    /** The feature width {@code d_v}: the last dimension. */
    public int dim() {
        return shape[shape.length - 1];
    }

    /** The number of feature vectors (tokens): every dimension but the last, multiplied. */
    public int tokens() {
        return values.length / dim();
    }

    /** The features as {@code (T_v, d_v)}: one row per token, as the linear probes read them. */
    public float[][] matrix() {
        int d = dim();
        float[][] m = new float[tokens()][];
        for (int t = 0; t < m.length; t++) {
            m[t] = Arrays.copyOfRange(values, t * d, (t + 1) * d);
        }
        return m;
    }
}
