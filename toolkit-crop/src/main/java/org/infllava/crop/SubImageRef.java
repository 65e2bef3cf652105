package org.infllava.crop;

/**
 * Where one sub-image comes from on the canvas: its pixel {@code (v, u)} is canvas pixel
 * {@code (offsetY + v·strideY, offsetX + u·strideX)}.
 *
 * <p>Local sub-images have offset {@code (row·H_l, col·W_l)} and stride 1 (eq. (13)); global sub-images have offset
 * {@code (i, j)} and stride {@code (n_H, n_W)} (eq. (17)).
 *
 * @param perspective local or global
 * @param index row-major index {@code k = n_W·row + col}
 * @param row grid row
 * @param col grid column
 * @param offsetX canvas column of the sub-image's pixel (0, 0)
 * @param offsetY canvas row of the sub-image's pixel (0, 0)
 * @param strideX canvas columns between horizontally adjacent pixels
 * @param strideY canvas rows between vertically adjacent pixels
 */
public record SubImageRef(Perspective perspective, int index, int row, int col, int offsetX, int offsetY,
        int strideX, int strideY) {

    /** The reference of sub-image {@code k} of {@code grid} under {@code perspective}. */
    public static SubImageRef of(Perspective perspective, CropGrid grid, int k) {
        int row = grid.rowOf(k);
        int col = grid.colOf(k);
        int ox = perspective.source(col, 0, grid.columns(), grid.subWidth());
        int oy = perspective.source(row, 0, grid.rows(), grid.subHeight());
        int sx = perspective.source(col, 1, grid.columns(), grid.subWidth()) - ox;
        int sy = perspective.source(row, 1, grid.rows(), grid.subHeight()) - oy;
        return new SubImageRef(perspective, k, row, col, ox, oy, sx, sy);
    }

    /** The file name the {@code crop} command uses: {@code local-R-C.png} or {@code global-I-J.png}. */
    public String fileName() {
        return perspective.id() + "-" + row + "-" + col + ".png";
    }
}
