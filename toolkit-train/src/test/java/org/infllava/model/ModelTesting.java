package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.infllava.testing.Close;
import org.infllava.testing.Fixtures;

/** Fixtures of src/test/python/make_model_goldens.py (plain PyTorch, no transformers). */
final class ModelTesting {

    static final Path GOLDEN = Path.of("src/test/resources/golden");

    private ModelTesting() {}

    static NDArray npy(NDManager m, String name) {
        return Fixtures.npy(m, GOLDEN.resolve(name + ".npy"));
    }

    /** numpy.allclose semantics (see {@link Close}). */
    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        Close.assertClose(expected, actual, rtol, atol, what);
    }
}
