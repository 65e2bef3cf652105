package org.infllava.dem;

import org.infllava.crop.Perspective;

/**
 * Which re-crop each enhancement direction uses to cut its windows (§4.3). The paper's text disagrees with itself,
 * and the published code follows its introduction; both are offered.
 */
public enum ReCropPairing {
    /**
     * §1 of the paper and the published code: global-as-query (eq. 20-21) attends inside contiguous blocks
     * ({@code C_loc}: a region of the global map to the same region of the local map); local-as-query (eq. 24-25)
     * attends inside strided samples ({@code C_glo}).
     */
    SECTION_1(Perspective.LOCAL, Perspective.GLOBAL),
    /** The literal eq. (18)-(19) and (22)-(23): global-as-query uses {@code C_glo}, local-as-query {@code C_loc}. */
    EQUATIONS_4_3_2(Perspective.GLOBAL, Perspective.LOCAL);

    private final Perspective globalQueryWindows;
    private final Perspective localQueryWindows;

    ReCropPairing(Perspective globalQueryWindows, Perspective localQueryWindows) {
        this.globalQueryWindows = globalQueryWindows;
        this.localQueryWindows = localQueryWindows;
    }

    /** The re-crop of the global-perspective enhancement (global map as query). */
    public Perspective globalQueryWindows() {
        return globalQueryWindows;
    }

    /** The re-crop of the local-perspective enhancement (local map as query). */
    public Perspective localQueryWindows() {
        return localQueryWindows;
    }
}
