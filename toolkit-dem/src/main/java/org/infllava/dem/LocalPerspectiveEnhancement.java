package org.infllava.dem;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Local-perspective enhancement, eq. (22)-(25): the local map {@code F^loc} is the query, the global map
 * {@code F^glo} the key and value; both are re-cropped with the same index maps ({@link ReCropPairing}), attend window
 * by window, and the enhanced windows {@code V_i^loc} are reassembled into {@code V^loc}.
 *
 * <p>Shapes: {@code F^loc, F^glo: (B, H, W, d) → V^loc: (B, H, W, d)}.
 */
public final class LocalPerspectiveEnhancement {

    private final WindowCrossAttention attention;
    private final ReCropPairing pairing;

    /** Enhancement with its attention block (possibly shared with the other direction) and pairing. */
    public LocalPerspectiveEnhancement(WindowCrossAttention attention, ReCropPairing pairing) {
        this.attention = attention;
        this.pairing = pairing;
    }

    /** Local-perspective enhancement, eq. (22)-(25): {@code V^loc}. */
    public NDArray localPerspectiveEnhancement(ParameterStore ps, NDArray local, NDArray global, int columns,
            int rows, boolean training) {
        return attention.attend(ps, local, global, columns, rows, pairing.localQueryWindows(), training);
    }

    /**
     * The enhanced map read at the positions {@code (rows·i + r, columns·j + c)} only ({@link
     * WindowCrossAttention#attendSampled}): {@code (B, H/rows, W/columns, d)}.
     */
    public NDArray localPerspectiveEnhancementSampled(ParameterStore ps, NDArray local, NDArray global,
            int columns, int rows, int[] offsets, boolean training) {
        return attention.attendSampled(ps, local, global, columns, rows, pairing.localQueryWindows(), offsets, training);
    }

    /**
     * The enhanced map pooled by an averaging {@code pooling}, the value side computed after the pooling
     * ({@link WindowCrossAttention#attendPooled}): {@code (B, H/rows, W/columns, d)}.
     */
    public NDArray localPerspectiveEnhancementPooled(ParameterStore ps, NDArray local, NDArray global,
            int columns, int rows, Pooling pooling, boolean training) {
        return attention.attendPooled(ps, local, global, columns, rows, pairing.localQueryWindows(), pooling, training);
    }

    /**
     * This direction's attention weights, for inspection ({@link WindowCrossAttention#attentionWeights}):
     * {@code (B·N, heads, T, T)} over the windows that {@code pairing.localQueryWindows()} cuts.
     */
    public NDArray attentionWeights(ParameterStore ps, NDArray local, NDArray global, int columns, int rows) {
        return attention.attentionWeights(ps, local, global, columns, rows, pairing.localQueryWindows());
    }

    /** The attention block. */
    public WindowCrossAttention attention() {
        return attention;
    }
}
