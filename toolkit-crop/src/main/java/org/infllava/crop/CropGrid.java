package org.infllava.crop;

/**
 * A grid of {@code columns × rows} sub-images of {@code subWidth × subHeight} each, tiling a canvas of
 * {@code columns·subWidth × rows·subHeight}.
 *
 * <p>Units are whatever the data holds: pixels for images and pixel tensors, tokens (patches) for feature maps. For
 * CLIP-ViT-L/14-336 at 1008×1008 the pixel grid is {@code CropGrid.of(3, 3, 336, 336)} and the feature grid is
 * {@code CropGrid.of(3, 3, 24, 24)}.
 *
 * <p>Sub-images are numbered row-major: {@code k = columns·row + col}, eq. (11)-(12).
 *
 * @param columns the number of sub-images across, {@code n_W} (eq. (9))
 * @param rows the number of sub-images down, {@code n_H} (eq. (10))
 * @param subWidth the width of one sub-image, {@code W_l}
 * @param subHeight the height of one sub-image, {@code H_l}
 */
public record CropGrid(int columns, int rows, int subWidth, int subHeight) {

    /** Validates every field. */
    public CropGrid {
        if (columns < 1 || rows < 1) {
            throw new IllegalArgumentException("grid must be at least 1x1, got columns=" + columns + " rows=" + rows);
        }
        if (subWidth < 1 || subHeight < 1) {
            throw new IllegalArgumentException(
                    "sub-image size must be positive, got " + subWidth + "x" + subHeight);
        }
        if ((long) columns * subWidth > Integer.MAX_VALUE / 4 || (long) rows * subHeight > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("canvas too large: " + columns + "x" + rows + " sub-images of "
                    + subWidth + "x" + subHeight);
        }
    }

    /** A grid of {@code columns × rows} sub-images of {@code subWidth × subHeight}. */
    public static CropGrid of(int columns, int rows, int subWidth, int subHeight) {
        return new CropGrid(columns, rows, subWidth, subHeight);
    }

    /** The number of sub-images per perspective, {@code N = n_W·n_H}. */
    public int count() {
        return columns * rows;
    }

    /** The canvas width, {@code n_W·W_l}. */
    public int width() {
        return columns * subWidth;
    }

    /** The canvas height, {@code n_H·H_l}. */
    public int height() {
        return rows * subHeight;
    }

    /** The grid row of sub-image {@code k}, eq. (11): {@code ⌊k / n_W⌋}. */
    public int rowOf(int k) {
        checkIndex(k);
        return k / columns;
    }

    /** The grid column of sub-image {@code k}, eq. (12): {@code k mod n_W}. */
    public int colOf(int k) {
        checkIndex(k);
        return k % columns;
    }

    /** The same grid with another sub-image size (for example from pixels to patch tokens). */
    public CropGrid withSubSize(int newSubWidth, int newSubHeight) {
        return new CropGrid(columns, rows, newSubWidth, newSubHeight);
    }

    private void checkIndex(int k) {
        if (k < 0 || k >= count()) {
            throw new IndexOutOfBoundsException("sub-image " + k + " outside grid " + columns + "x" + rows);
        }
    }

    @Override
    public String toString() {
        return columns + "x" + rows + " of " + subWidth + "x" + subHeight;
    }
}
