package org.infllava.crop;

/**
 * The two cropping perspectives of the Dual-perspective Cropping Module (§4.2).
 *
 * <p>Both are index maps from a position {@code (v, u)} inside sub-image {@code (row, col)} of an
 * {@code nW × nH} grid to a position {@code (y, x)} of the full canvas. Along each axis the canvas index is factored
 * into a grid index and an in-sub-image index; the perspectives differ only in which factor is the outer one:
 * <ul>
 *   <li>{@link #LOCAL}: {@code y = row·h + v} — the grid index is outer, sub-images are contiguous blocks
 *       (eq. (13));</li>
 *   <li>{@link #GLOBAL}: {@code y = v·nH + row} — the grid index is inner, sub-images are strided samples
 *       (eq. (17)).</li>
 * </ul>
 * {@link GridMaps} uses this one definition for pixel arrays, images, pixel tensors and feature maps.
 */
public enum Perspective {
    /** Local-perspective crop: contiguous blocks, eq. (9)-(13). */
    LOCAL,
    /** Global-perspective crop: strided sub-sampling, eq. (14)-(17). */
    GLOBAL;

    /**
     * Canvas index along one axis.
     *
     * @param gridIndex the sub-image's row (or column) in the grid
     * @param position the position inside the sub-image along that axis ({@code v} or {@code u})
     * @param gridCount the number of sub-images along the axis ({@code nH} or {@code nW})
     * @param subLength the sub-image's length along the axis ({@code h} or {@code w})
     * @return the row (or column) of the canvas
     */
    public int source(int gridIndex, int position, int gridCount, int subLength) {
        return this == LOCAL ? localCrop(gridIndex, position, subLength) : globalCrop(gridIndex, position, gridCount);
    }

    /** Local-perspective crop along one axis, eq. (13): {@code row·H_l + v}. */
    static int localCrop(int gridIndex, int position, int subLength) {
        return gridIndex * subLength + position;
    }

    /** Global-perspective crop along one axis, eq. (17): {@code i + v·n_H}. */
    static int globalCrop(int gridIndex, int position, int gridCount) {
        return position * gridCount + gridIndex;
    }

    /** Whether the grid index is the outer factor of the canvas index (true for {@link #LOCAL}). */
    public boolean gridIsOuter() {
        return this == LOCAL;
    }

    /** The lower-case name used in file names and manifests ({@code local}, {@code global}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
