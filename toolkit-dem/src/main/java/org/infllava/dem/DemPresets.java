package org.infllava.dem;

/**
 * The two readings of §4.3 side by side (see docs/dem.md for every difference).
 */
public final class DemPresets {

    private DemPresets() {}

    /**
     * The equations as written: eq. (18)-(19), (22)-(23) re-crops, one head with scale {@code 1/√d} (eq. 20, 24),
     * separate {@code W_q, W_k, W_v} per direction without bias, no output projection, residual or norm,
     * Linear-Concat fusion (eq. 26-27), average pooling (eq. 7), low-resolution features added (§5.5).
     */
    public static DualPerspectiveEnhancement.Builder paperBuilder(int channels, int columns, int rows) {
        return DualPerspectiveEnhancement.builder().setChannels(channels).setGrid(columns, rows);
    }

    /** {@link #paperBuilder} built. */
    public static DualPerspectiveEnhancement paper(int channels, int columns, int rows) {
        return paperBuilder(channels, columns, rows).build();
    }

    /**
     * The published {@code SpatialEmbed} at another size: 8 heads, one attention shared by both directions with
     * biases, output projection, raw-query residual and post-LayerNorm; §1 re-crop pairing; the bottleneck fusion;
     * bilinear "pooling"; the mean with the low-resolution features.
     */
    public static DualPerspectiveEnhancement.Builder referenceBuilder(int channels, int columns, int rows, int heads) {
        return DualPerspectiveEnhancement.builder().setChannels(channels).setGrid(columns, rows).optHeads(heads)
                .optSharedAttention(true).optBias(true).optOutProjection(true)
                .optResidual(WindowCrossAttention.Residual.RAW_QUERY).optNorm(WindowCrossAttention.Norm.POST_LN)
                .optPairing(ReCropPairing.SECTION_1).optFusion(StandardFusion.REFERENCE_BOTTLENECK)
                .optPooling(StandardPooling.BILINEAR_REFERENCE).optLowResCombine(LowResCombine.MEAN);
    }

    /** {@link #referenceBuilder} built. */
    public static DualPerspectiveEnhancement reference(int channels, int columns, int rows, int heads) {
        return referenceBuilder(channels, columns, rows, heads).build();
    }

    /** The published {@code SpatialEmbed} exactly: d = 1024, 3×3 grid, 8 heads — 4,400,256 parameters. */
    public static DualPerspectiveEnhancement reference() {
        return reference(1024, 3, 3, 8);
    }
}
