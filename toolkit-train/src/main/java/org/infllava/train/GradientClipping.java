package org.infllava.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.Collection;

/**
 * Clipping by the global norm, as {@code torch.nn.utils.clip_grad_norm_}: {@code n = √(Σ‖g‖²)} over every gradient,
 * then every gradient is scaled by {@code min(1, max / (n + 1e-6))}. (DJL's own {@code optClipGrad} clamps each
 * element, one side only.)
 */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Clips in place and returns the norm before clipping. The norm is computed as {@code M·√(Σ (g/M)²)} with
     * {@code M} the largest absolute gradient, so gradients near the float range give their true norm rather than
     * an overflowed infinity.
     */
    public static double clipByGlobalNorm(Collection<Parameter> params, double maxNorm) {
        java.util.List<NDArray> grads = new java.util.ArrayList<>();
        for (Parameter p : params) {
            grads.add(p.getArray().getGradient());
        }
        try {
            return clipGradients(grads, maxNorm);
        } finally {
            grads.forEach(NDArray::close);
        }
    }

    /**
     * The same on gradient arrays themselves (e.g. unscaled half-precision gradients). The reductions stay on the
     * gradients' device; two values come to the host (the largest element, then the scaled sum of squares), not two
     * per gradient, so a GPU step synchronises twice here whatever the number of parameters.
     */
    public static double clipGradients(Collection<NDArray> grads, double maxNorm) {
        if (grads.isEmpty()) {
            return 0;
        }
        double max;
        double sum;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            ai.djl.Device device = grads.iterator().next().getDevice();
            ai.djl.ndarray.NDList maxima = new ai.djl.ndarray.NDList();
            for (NDArray g : grads) {
                maxima.add(g.abs().max().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toDevice(device, false));
            }
            NDArray m = ai.djl.ndarray.NDArrays.stack(maxima).max(); // ()
            max = m.getFloat(); // host read 1 of 2
            if (max == 0 || !Double.isFinite(max)) {
                return max;
            }
            ai.djl.ndarray.NDList sums = new ai.djl.ndarray.NDList();
            for (NDArray g : grads) {
                NDArray g32 = g.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                sums.add(g32.div(m.toDevice(g32.getDevice(), false)).square().sum().toDevice(device, false));
            }
            sum = ai.djl.ndarray.NDArrays.stack(sums).sum().getFloat(); // host read 2 of 2
        }
        double norm = max * Math.sqrt(sum);
        double scale = maxNorm / (norm + 1e-6);
        if (maxNorm > 0 && scale < 1) {
            for (NDArray g : grads) {
                g.muli((float) scale);
            }
        }
        return norm;
    }
}
