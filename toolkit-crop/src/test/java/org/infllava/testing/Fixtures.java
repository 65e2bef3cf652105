package org.infllava.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;

/** Golden fixtures as tensors, shared by every module's tests through toolkit-crop's test jar. */
public final class Fixtures {

    private Fixtures() {}

    /** A float32 {@code .npy} file as an array of its shape. */
    public static NDArray npy(NDManager manager, Path file) {
        HostTensor t = NpyArrays.read(file);
        return manager.create(t.data(), new Shape(t.shape()));
    }
}
