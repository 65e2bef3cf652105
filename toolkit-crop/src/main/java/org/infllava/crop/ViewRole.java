package org.infllava.crop;

import java.util.Locale;

/**
 * What one view is to a visual front-end: the whole image ({@link Kind#BASE}), one tile of a grid, a thumbnail, one
 * DCM perspective's sub-image, the low-resolution view, or one tile of scale {@code s} of a multi-scale strategy.
 * {@link #label()} is the name written in {@code manifest.json}: {@code base | tile | thumbnail | local | global |
 * low-res | scale-N}.
 *
 * @param kind the kind of view
 * @param scale the scale factor for {@link Kind#SCALE} (≥ 1), else 0
 */
public record ViewRole(Kind kind, int scale) {

    /** The kinds of view. */
    public enum Kind { BASE, TILE, THUMBNAIL, LOCAL, GLOBAL, LOW_RES, SCALE }

    /** The whole image squashed or padded to the encoder's size. */
    public static final ViewRole BASE = new ViewRole(Kind.BASE, 0);
    /** One tile of a grid over the resized image. */
    public static final ViewRole TILE = new ViewRole(Kind.TILE, 0);
    /** The whole image resized to the encoder's size, after the tiles. */
    public static final ViewRole THUMBNAIL = new ViewRole(Kind.THUMBNAIL, 0);
    /** A DCM local-perspective sub-image, eq. (13). */
    public static final ViewRole LOCAL = new ViewRole(Kind.LOCAL, 0);
    /** A DCM global-perspective sub-image, eq. (17). */
    public static final ViewRole GLOBAL = new ViewRole(Kind.GLOBAL, 0);
    /** The low-resolution view of the whole image. */
    public static final ViewRole LOW_RES = new ViewRole(Kind.LOW_RES, 0);

    /** Validates. */
    public ViewRole {
        if (kind == null) {
            throw new IllegalArgumentException("view role kind must be set");
        }
        if ((kind == Kind.SCALE) != (scale >= 1)) {
            throw new IllegalArgumentException("view role " + kind + " with scale " + scale
                    + ": a scale (>= 1) is given exactly for SCALE");
        }
    }

    /** A tile of scale {@code s} (the image resized to {@code s·S}, cut into {@code s²} tiles). */
    public static ViewRole scale(int s) {
        return new ViewRole(Kind.SCALE, s);
    }

    /** The manifest name: {@code base}, {@code tile}, ..., {@code low-res}, {@code scale-N}. */
    public String label() {
        return kind == Kind.SCALE ? "scale-" + scale : kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The role named by {@link #label()}. */
    public static ViewRole parse(String label) {
        if (label.startsWith("scale-")) {
            try {
                return scale(Integer.parseInt(label.substring("scale-".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown view role '" + label + "'");
            }
        }
        for (Kind k : Kind.values()) {
            if (k != Kind.SCALE && k.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(label)) {
                return new ViewRole(k, 0);
            }
        }
        throw new IllegalArgumentException("unknown view role '" + label + "'");
    }

    @Override
    public String toString() {
        return label();
    }
}
