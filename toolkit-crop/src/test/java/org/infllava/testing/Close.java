package org.infllava.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.infllava.io.HostTensor;

/** Tolerance assertions for golden comparisons, shared by every module's tests through toolkit-crop's test jar. */
public final class Close {

    private Close() {}

    /** numpy.allclose semantics, {@code |a − b| ≤ atol + rtol·|b|} everywhere; reports the first bad element. */
    public static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (rtol " + rtol
                        + ", atol " + atol + ")");
            }
        }
    }

    /** The same for tensors, shapes first. */
    public static void assertClose(HostTensor expected, HostTensor actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertClose(expected.data(), actual.data(), rtol, atol, what);
    }
}
