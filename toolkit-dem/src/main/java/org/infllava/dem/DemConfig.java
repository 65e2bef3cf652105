package org.infllava.dem;

/**
 * The immutable configuration of a {@link DualPerspectiveEnhancement}, built by
 * {@link DualPerspectiveEnhancement#builder()}.
 *
 * @param channels feature width {@code d}
 * @param columns grid columns {@code n_W}
 * @param rows grid rows {@code n_H}
 * @param heads attention heads
 * @param variant which parts run (Tab. 4, Tab. 6)
 * @param fusion how {@code V^glo} and {@code V^loc} are fused (Tab. 5)
 * @param pooling how the fused map is reduced (eq. 7)
 * @param lowResCombine how the low-resolution features join
 * @param pairing which re-crop each direction uses
 * @param sharedAttention one attention block for both directions (published code) or one each (eq. 20, 24)
 * @param outProjection attention output projection
 * @param residual attention residual
 * @param norm attention normalisation
 * @param bias biases on the attention projections
 */
public record DemConfig(int channels, int columns, int rows, int heads, DemVariant variant, Fusion fusion,
        Pooling pooling, LowResCombine lowResCombine, ReCropPairing pairing, boolean sharedAttention,
        boolean outProjection, WindowCrossAttention.Residual residual, WindowCrossAttention.Norm norm, boolean bias) {}
