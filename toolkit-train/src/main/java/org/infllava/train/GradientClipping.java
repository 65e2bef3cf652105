package org.infllava.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.Collection;

/**
 * Clipping by the global norm, as {@code torch.nn.utils.clip_grad_norm_}: {@code n = √(Σ‖g‖²)} over every gradient,
 * then every gradient is scaled by {@code min(1, max / (n + 1e-6))}. (DJL's own {@code optClipGrad} clamps each
 * element, one side only.)
 */
public final class GradientClipping {

    private GradientClipping() {}

    /** Clips in place and returns the norm before clipping. */
    public static double clipByGlobalNorm(Collection<Parameter> params, double maxNorm) {
        double sum = 0;
        for (Parameter p : params) {
            try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope(); NDArray g = p.getArray().getGradient()) {
                scope.suppressNotUsedWarning();
                sum += g.square().sum().getFloat();
            }
        }
        double norm = Math.sqrt(sum);
        double scale = maxNorm / (norm + 1e-6);
        if (maxNorm > 0 && scale < 1) {
            for (Parameter p : params) {
                try (NDArray g = p.getArray().getGradient()) {
                    g.muli((float) scale);
                }
            }
        }
        return norm;
    }
}
