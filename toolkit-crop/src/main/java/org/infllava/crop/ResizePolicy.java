package org.infllava.crop;

/**
 * How a source image of any size becomes the crop canvas of exactly {@code n_W·W_l × n_H·H_l} pixels.
 */
public enum ResizePolicy {
    /** Bicubic resize (Pillow-compatible) of the whole image to the canvas; the aspect ratio may change. Default. */
    GRID_FIT,
    /**
     * No resampling: keep the top-left {@code n_W·W_l × n_H·H_l} pixels, as eq. (9)-(10)'s floor implies; the rest of
     * the image is dropped.
     */
    TRUNCATE,
    /**
     * LLaVA's {@code expand2square} (pad with the CLIP mean colour, image centred) then bicubic resize to a square
     * canvas. The published stage-2 recipe.
     */
    PAD_TO_SQUARE,
    /**
     * CLIP's processor at the canvas size: resize the shortest edge to the canvas side, then keep the centre square.
     * The published stage-1 recipe.
     */
    SQUARE_CENTER_CROP,
    /** The image is the canvas: each side must be an exact multiple of the sub-image size. */
    NONE;

    /** Whether this policy always yields a square canvas. */
    public boolean square() {
        return this == PAD_TO_SQUARE || this == SQUARE_CENTER_CROP;
    }

    /** The command-line spelling: {@code grid, truncate, pad, center-crop, none}. */
    public String cliName() {
        return switch (this) {
            case GRID_FIT -> "grid";
            case TRUNCATE -> "truncate";
            case PAD_TO_SQUARE -> "pad";
            case SQUARE_CENTER_CROP -> "center-crop";
            case NONE -> "none";
        };
    }

    /** Parses {@link #cliName()} or the enum name, case-insensitively. */
    public static ResizePolicy parse(String s) {
        for (ResizePolicy p : values()) {
            if (p.cliName().equalsIgnoreCase(s) || p.name().equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown resize policy '" + s
                + "' (expected grid, truncate, pad, center-crop or none)");
    }
}
