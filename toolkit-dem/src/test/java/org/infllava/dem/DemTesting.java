package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;

/** Helpers for the DEM tests. */
final class DemTesting {

    static final Path GOLDEN = Path.of("src/test/resources/golden");

    private DemTesting() {}

    static NDArray npy(NDManager m, String name) {
        HostTensor t = NpyArrays.read(GOLDEN.resolve(name + ".npy"));
        return m.create(t.data(), new Shape(t.shape()));
    }

    /** numpy.allclose semantics: |a − b| ≤ atol + rtol·|b| everywhere; reports the worst element. */
    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]) - (atol + rtol * Math.abs(expected[i]));
            if (Double.isNaN(actual[i]) || err > worst) {
                worst = Double.isNaN(actual[i]) ? Double.POSITIVE_INFINITY : err;
                at = i;
            }
        }
        if (at >= 0) {
            fail(what + ": element " + at + " expected " + expected[at] + " got " + actual[at] + " (rtol " + rtol
                    + ", atol " + atol + ")");
        }
    }
}
