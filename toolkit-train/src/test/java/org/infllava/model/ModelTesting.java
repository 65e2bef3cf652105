package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.infllava.testing.Close;

/** Fixtures of src/test/python/make_model_goldens.py (plain PyTorch, no transformers). */
final class ModelTesting {

    static final Path GOLDEN = Path.of("src/test/resources/golden");

    private ModelTesting() {}

    static NDArray npy(NDManager m, String name) {
        HostTensor t = NpyArrays.read(GOLDEN.resolve(name + ".npy"));
        return m.create(t.data(), new Shape(t.shape()));
    }

    /** numpy.allclose semantics (see {@link Close}). */
    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        Close.assertClose(expected, actual, rtol, atol, what);
    }
}
