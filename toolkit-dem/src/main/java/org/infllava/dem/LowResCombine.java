package org.infllava.dem;

import ai.djl.ndarray.NDArray;

/**
 * How the pooled DEM output meets the encoder features of the low-resolution view (§5.5, Tab. 3 "dual resolution"):
 * both {@code (B, h, w, d)}.
 */
public enum LowResCombine {
    /** The paper: element-wise addition. */
    ADD,
    /** The published code: the mean of the two. */
    MEAN,
    /** Ignore the low-resolution features. */
    NONE;

    /** Combines the pooled DEM output with the low-resolution features. */
    public NDArray combine(NDArray pooled, NDArray lowRes) {
        if (this != NONE && !pooled.getShape().equals(lowRes.getShape())) {
            throw new IllegalArgumentException("low-resolution features " + lowRes.getShape()
                    + " do not match the pooled DEM output " + pooled.getShape());
        }
        return switch (this) {
            case ADD -> pooled.add(lowRes);
            case MEAN -> pooled.add(lowRes).mul(org.infllava.nn.NamedBlock.scalar(pooled, 0.5f));
            case NONE -> pooled;
        };
    }
}
