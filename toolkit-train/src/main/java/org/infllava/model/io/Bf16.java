package org.infllava.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import org.infllava.model.GradMode;

/**
 * bfloat16 weights decoded on the device. DJL 0.36 terminates the JVM on any BFLOAT16 array (and on INT16), so a BF16
 * tensor cannot be created as such; instead its stored bytes are uploaded unchanged as UINT8 (2 bytes per value, half
 * of a float32 upload, no conversion on the host) and the values are rebuilt on the device from the bit fields:
 * <pre>
 *   bits = hi·256 + lo,  s = bits ≥ 2¹⁵,  e = ⌊bits / 2⁷⌋ mod 2⁸,  m = bits mod 2⁷
 *   x = (−1)ˢ · ([e &gt; 0] + m / 2⁷) · 2^(max(e, 1) − 127)      (e = 255: ±∞ when m = 0, NaN otherwise)
 * </pre>
 * Every step is exact in float32 (at most 8 significant bits times a power of two taken from a table), so the result
 * has the bits of the host conversion {@code Float.intBitsToFloat(bits << 16)} for every one of the 65 536 patterns.
 */
public final class Bf16 {

    private Bf16() {}

    /**
     * The float32 values of little-endian bfloat16 {@code bytes} as an array of {@code shape} on {@code manager}'s
     * device (autograd off; the result is attached to {@code manager}).
     */
    public static NDArray decode(NDManager manager, ByteBuffer bytes, Shape shape) {
        long n = shape.size();
        if (bytes.remaining() != 2 * n) {
            throw new IllegalArgumentException("bfloat16 data of " + bytes.remaining() + " bytes for shape " + shape
                    + " (" + 2 * n + " expected)");
        }
        try (GradMode off = GradMode.disabled(); NDScope scope = new NDScope()) {
            NDArray u8 = manager.create(bytes, new Shape(n, 2), DataType.UINT8); // (n, 2): lo, hi
            NDArray b = u8.toType(DataType.INT32, false);
            NDArray bits = b.get(":, 1").mul(256).add(b.get(":, 0")); // (n)
            NDArray sign = bits.gte(32768).toType(DataType.FLOAT32, false); // (n)
            NDArray exp = bits.div(128).toType(DataType.INT32, false).sub(sign.mul(256).toType(DataType.INT32, false)); // (n)
            NDArray mant = bits.sub(bits.div(128).toType(DataType.INT32, false).mul(128)).toType(DataType.FLOAT32,
                    false); // (n)
            NDArray scale = manager.create(powers()).get(exp.toType(DataType.INT64, false)); // 2^(max(e,1)−127)
            NDArray normal = exp.gt(0).toType(DataType.FLOAT32, false); // implicit leading 1
            NDArray value = normal.add(mant.div(128f)).mul(scale).mul(sign.mul(-2f).add(1f));
            NDArray nan = exp.eq(255).logicalAnd(mant.gt(0f));
            value = NDArrays.where(nan, manager.full(new Shape(n), Float.NaN), value);
            NDArray out = value.reshape(shape);
            scope.suppressNotUsedWarning();
            NDScope.unregister(out);
            out.attach(manager);
            return out;
        }
    }

    /** {@code 2^(max(e, 1) − 127)} for e = 0..254 and +∞ for e = 255, exact in float32. */
    private static float[] powers() {
        float[] p = new float[256];
        for (int e = 0; e < 255; e++) {
            p[e] = Math.scalb(1f, Math.max(e, 1) - 127);
        }
        p[255] = Float.POSITIVE_INFINITY;
        return p;
    }
}
