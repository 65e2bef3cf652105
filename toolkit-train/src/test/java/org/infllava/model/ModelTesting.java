package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;

/** Fixtures of src/test/python/make_model_goldens.py (plain PyTorch, no transformers). */
final class ModelTesting {

    static final Path GOLDEN = Path.of("src/test/resources/golden");

    private ModelTesting() {}

    static NDArray npy(NDManager m, String name) {
        HostTensor t = NpyArrays.read(GOLDEN.resolve(name + ".npy"));
        return m.create(t.data(), new Shape(t.shape()));
    }

    /** numpy.allclose semantics, reporting the worst element. */
    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
            }
        }
    }
}
