package org.infllava.crop;

/**
 * One view of a {@link ViewLayout}, without its pixels.
 *
 * @param role what the view is
 * @param row its row in its role's grid (0 for views outside a grid)
 * @param col its column in its role's grid (0 for views outside a grid)
 * @param box the part of the source image it shows, in source pixels; {@code null} when it shows no contiguous part
 *     (a strided global sub-image)
 */
public record ViewSlot(ViewRole role, int row, int col, PixelBox box) {

    /** Validates. */
    public ViewSlot {
        if (role == null) {
            throw new IllegalArgumentException("a view slot needs a role");
        }
        if (row < 0 || col < 0) {
            throw new IllegalArgumentException("view slot position (" + row + ", " + col + ") must be >= 0");
        }
    }
}
