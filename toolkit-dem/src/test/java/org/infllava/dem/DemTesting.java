package org.infllava.dem;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.infllava.testing.Close;
import org.infllava.testing.Fixtures;

/** Helpers for the DEM tests. */
final class DemTesting {

    static final Path GOLDEN = Path.of("src/test/resources/golden");

    private DemTesting() {}

    static NDArray npy(NDManager m, String name) {
        return Fixtures.npy(m, GOLDEN.resolve(name + ".npy"));
    }

    /** numpy.allclose semantics (see {@link Close}). */
    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String what) {
        Close.assertClose(expected, actual, rtol, atol, what);
    }
    /**
     * The module's output on the maps, then the gradients of every parameter and of the two maps for
     * {@code Σ output²}, each cleared afterwards: the lists two computation orders are compared on.
     */
    static List<float[]> outputAndGradients(DualPerspectiveEnhancement dem, NDManager m, NDArray local, NDArray global,
            NDArray low) {
        List<NDArray> wrt = new ArrayList<>();
        dem.namedParameters().values().forEach(p -> wrt.add(p.getArray()));
        wrt.add(local);
        wrt.add(global);
        wrt.forEach(a -> a.setRequiresGradient(true));
        List<float[]> out = new ArrayList<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = dem.forward(new ParameterStore(m, false), local, global, low, true);
            out.add(y.toFloatArray());
            gc.backward(y.square().sum());
        }
        for (NDArray a : wrt) {
            NDArray g = a.getGradient();
            out.add(g.toFloatArray());
            g.subi(g);
        }
        return out;
    }
}
