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

    /** The same on gradient arrays themselves (e.g. unscaled half-precision gradients). */
    public static double clipGradients(Collection<NDArray> grads, double maxNorm) {
        double max = 0;
        for (NDArray g : grads) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                max = Math.max(max, g.abs().max().getFloat());
            }
        }
        if (max == 0 || !Double.isFinite(max)) {
            return max;
        }
        double sum = 0;
        for (NDArray g : grads) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                sum += g.div((float) max).square().sum().getFloat();
            }
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
