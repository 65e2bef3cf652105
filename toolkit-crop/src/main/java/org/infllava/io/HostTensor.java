package org.infllava.io;

import java.util.Arrays;

/**
 * A dense float tensor in Java memory, C order: the exchange type of {@code .npy} and safetensors files.
 *
 * @param shape the dimensions
 * @param data the values, {@code product(shape)} of them
 */
public record HostTensor(long[] shape, float[] data) {

    /** Validates that the data fills the shape. */
    public HostTensor {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has "
                    + data.length);
        }
        shape = shape.clone();
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    /** The shape as text, e.g. {@code (3, 4)}. */
    public String shapeText() {
        return shapeText(shape);
    }

    /** A shape as text, e.g. {@code (3, 4)}. */
    public static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostTensor" + shapeText();
    }
}
