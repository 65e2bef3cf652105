package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;
import org.infllava.crop.ViewSlot;

/** Shared checks and tensor moves of the token assemblers. */
final class ViewFeatures {

    private ViewFeatures() {}

    /**
     * Checks that {@code features} is {@code (V, P, d)} with one row per view of {@code layout}.
     *
     * @return {@code P}
     */
    static long patches(NDArray features, ViewLayout layout, String assembler) {
        Shape s = features.getShape();
        if (s.dimension() != 3 || s.get(0) != layout.count()) {
            throw new IllegalArgumentException(assembler + ": expected features (" + layout.count() + ", P, d) for the "
                    + layout.count() + " views of " + layout.strategy() + ", got " + s);
        }
        return s.get(1);
    }

    /** The side {@code g} of the square patch grid of {@code P = g²} features; an error when {@code P} is not square. */
    static int grid(NDArray features, ViewLayout layout, String assembler) {
        long p = patches(features, layout, assembler);
        int g = (int) Math.round(Math.sqrt(p));
        if ((long) g * g != p) {
            throw new IllegalArgumentException(assembler + " needs a square grid of patch features (select feature "
                    + "PATCH), got " + p + " per view");
        }
        return g;
    }

    /** The indices of {@code role}'s views sorted row-major by their grid position. */
    static List<Integer> rowMajor(ViewLayout layout, ViewRole role) {
        List<Integer> idx = new ArrayList<>(layout.indicesOf(role));
        idx.sort(Comparator.comparingInt((Integer i) -> layout.slots().get(i).row())
                .thenComparingInt(i -> layout.slots().get(i).col()));
        int cols = layout.gridCols(role);
        for (int k = 0; k < idx.size(); k++) {
            ViewSlot s = layout.slots().get(idx.get(k));
            if (s.row() * cols + s.col() != k) {
                throw new IllegalArgumentException(layout.strategy() + ": the " + role + " views do not fill a "
                        + layout.gridRows(role) + "x" + cols + " grid (view " + idx.get(k) + " at (" + s.row() + ", "
                        + s.col() + "))");
            }
        }
        return idx;
    }

    /** The rows {@code indices} of {@code x} along axis 0, as one slice when they are consecutive. */
    static NDArray pick(NDArray x, List<Integer> indices) {
        if (indices.isEmpty()) {
            throw new IllegalArgumentException("no views to pick");
        }
        boolean consecutive = true;
        for (int k = 1; k < indices.size(); k++) {
            consecutive &= indices.get(k) == indices.get(0) + k;
        }
        if (consecutive) {
            return x.get(indices.get(0) + ":" + (indices.get(0) + indices.size()));
        }
        NDList parts = new NDList();
        for (int i : indices) {
            parts.add(x.get(i + ":" + (i + 1)));
        }
        return NDArrays.concat(parts, 0);
    }

    /**
     * Recombines row-major tiles into one map: {@code (rows·cols, g·g, d)} → {@code (rows·g, cols·g, d)}, tile
     * {@code (r, c)} at rows {@code r·g ... r·g + g − 1} and columns {@code c·g ... c·g + g − 1} (LLaVA-NeXT's
     * {@code view(nH, nW, h, w, C).permute(4, 0, 2, 1, 3)}, S2's {@code merge_chessboard}).
     */
    static NDArray recombine(NDArray tiles, int rows, int cols, int g) {
        long d = tiles.getShape().get(2);
        return tiles.reshape(rows, cols, g, g, d) // (nH, nW, g, g, d)
                .transpose(0, 2, 1, 3, 4) // (nH, g, nW, g, d)
                .reshape(rows * g, cols * g, d); // (nH·g, nW·g, d)
    }

    /** Every view index, {@code 0 ... V − 1}. */
    static List<Integer> all(ViewLayout layout) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < layout.count(); i++) {
            out.add(i);
        }
        return out;
    }
}
