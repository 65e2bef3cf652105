package org.infllava.dem;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Global-perspective enhancement, eq. (18)-(21): the global map {@code F^glo} is the query, the local map
 * {@code F^loc} the key and value; both are re-cropped with the same index maps ({@link ReCropPairing}), attend window
 * by window, and the enhanced windows {@code V_i^glo} are reassembled into {@code V^glo}.
 *
 * <p>Shapes: {@code F^loc, F^glo: (B, H, W, d) → V^glo: (B, H, W, d)}.
 */
public final class GlobalPerspectiveEnhancement {

    private final WindowCrossAttention attention;
    private final ReCropPairing pairing;

    /** Enhancement with its attention block (possibly shared with the other direction) and pairing. */
    public GlobalPerspectiveEnhancement(WindowCrossAttention attention, ReCropPairing pairing) {
        this.attention = attention;
        this.pairing = pairing;
    }

    /** Global-perspective enhancement, eq. (18)-(21): {@code V^glo}. */
    public NDArray globalPerspectiveEnhancement(ParameterStore ps, NDArray local, NDArray global, int columns,
            int rows, boolean training) {
        return attention.attend(ps, global, local, columns, rows, pairing.globalQueryWindows(), training);
    }

    /**
     * The enhanced map read at the positions {@code (rows·i + r, columns·j + c)} only ({@link
     * WindowCrossAttention#attendSampled}): {@code (B, H/rows, W/columns, d)}.
     */
    public NDArray globalPerspectiveEnhancementSampled(ParameterStore ps, NDArray local, NDArray global,
            int columns, int rows, int[] offsets, boolean training) {
        return attention.attendSampled(ps, global, local, columns, rows, pairing.globalQueryWindows(), offsets, training);
    }

    /**
     * The enhanced map pooled by an averaging {@code pooling}, the value side computed after the pooling
     * ({@link WindowCrossAttention#attendPooled}): {@code (B, H/rows, W/columns, d)}.
     */
    public NDArray globalPerspectiveEnhancementPooled(ParameterStore ps, NDArray local, NDArray global,
            int columns, int rows, Pooling pooling, boolean training) {
        return attention.attendPooled(ps, global, local, columns, rows, pairing.globalQueryWindows(), pooling, training);
    }

    /**
     * This direction's attention weights, for inspection ({@link WindowCrossAttention#attentionWeights}):
     * {@code (B·N, heads, T, T)} over the windows that {@code pairing.globalQueryWindows()} cuts.
     */
    public NDArray attentionWeights(ParameterStore ps, NDArray local, NDArray global, int columns, int rows) {
        return attention.attentionWeights(ps, global, local, columns, rows, pairing.globalQueryWindows());
    }

    /** The attention block. */
    public WindowCrossAttention attention() {
        return attention;
    }
}
