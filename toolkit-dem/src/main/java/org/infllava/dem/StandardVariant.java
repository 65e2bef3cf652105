package org.infllava.dem;

import ai.djl.ndarray.NDArray;

/** The DEM variants of Tab. 4 and the DCM ablations of Tab. 6. */
public enum StandardVariant implements DemVariant {
    /** Both enhancements, then the fusion (Tab. 4 "full"). */
    FULL(true, true, true),
    /** Global-perspective enhancement only: {@code V^glo} goes to pooling (Tab. 4 "w/ global"). */
    GLOBAL_ONLY(true, false, false),
    /** Local-perspective enhancement only: {@code V^loc} goes to pooling (Tab. 4 "w/ local"). */
    LOCAL_ONLY(false, true, false),
    /** No DEM, local crops only: {@code F^loc} goes to pooling (Tab. 6). */
    LOCAL_CROP_ONLY(false, false, false),
    /** No DEM, global crops only: {@code F^glo} goes to pooling (Tab. 6). */
    GLOBAL_CROP_ONLY(false, false, false),
    /** No DEM, element-wise addition {@code F^loc + F^glo} (Tab. 6). */
    ADD_NO_DEM(false, false, false);

    private final boolean global;
    private final boolean local;
    private final boolean fusion;

    StandardVariant(boolean global, boolean local, boolean fusion) {
        this.global = global;
        this.local = local;
        this.fusion = fusion;
    }

    @Override
    public boolean usesGlobalEnhancement() {
        return global;
    }

    @Override
    public boolean usesLocalEnhancement() {
        return local;
    }

    @Override
    public boolean usesFusion() {
        return fusion;
    }

    /** Every standard variant combines linearly: a fusion, one part, one map or a sum. */
    @Override
    public boolean linear() {
        return true;
    }

    /** Every standard variant combines token by token. */
    @Override
    public boolean tokenWise() {
        return true;
    }

    @Override
    public NDArray combine(Parts parts, NDArray local, NDArray global) {
        return switch (this) {
            case FULL -> parts.fuse(parts.globalEnhanced(), parts.localEnhanced());
            case GLOBAL_ONLY -> parts.globalEnhanced();
            case LOCAL_ONLY -> parts.localEnhanced();
            case LOCAL_CROP_ONLY -> local;
            case GLOBAL_CROP_ONLY -> global;
            case ADD_NO_DEM -> local.add(global);
        };
    }
}
