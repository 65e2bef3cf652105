package org.infllava.crop;

import java.util.List;

/**
 * What a {@link CropStrategy} makes of a {@code sourceWidth × sourceHeight} image, before any pixel is read: the
 * ordered views the encoder takes (each {@code viewWidth × viewHeight}) with their roles and source boxes. A token
 * assembler reads everything it needs (grids, scales, the source size for unpadding) from here.
 *
 * @param strategy the registry name of the strategy that made it
 * @param sourceWidth the source image's width
 * @param sourceHeight the source image's height
 * @param viewWidth every view's width
 * @param viewHeight every view's height
 * @param slots the views in encoder order
 */
public record ViewLayout(String strategy, int sourceWidth, int sourceHeight, int viewWidth, int viewHeight,
        List<ViewSlot> slots) {

    /** Validates and freezes. */
    public ViewLayout {
        if (sourceWidth < 1 || sourceHeight < 1 || viewWidth < 1 || viewHeight < 1) {
            throw new IllegalArgumentException("layout of " + strategy + ": sizes must be positive, source "
                    + sourceWidth + "x" + sourceHeight + ", view " + viewWidth + "x" + viewHeight);
        }
        slots = List.copyOf(slots);
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("layout of " + strategy + " has no views");
        }
        for (ViewSlot s : slots) {
            if (s.box() != null && !s.box().inside(sourceWidth, sourceHeight)) {
                throw new IllegalArgumentException("layout of " + strategy + ": box " + s.box() + " of a "
                        + s.role() + " view leaves the " + sourceWidth + "x" + sourceHeight + " source");
            }
        }
    }

    /** The number of views (encoder passes). */
    public int count() {
        return slots.size();
    }

    /** The indices (in encoder order) of the views with {@code role}. */
    public List<Integer> indicesOf(ViewRole role) {
        java.util.ArrayList<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).role().equals(role)) {
                out.add(i);
            }
        }
        return List.copyOf(out);
    }

    /** Rows of {@code role}'s grid: one more than its largest row (0 when no view has the role). */
    public int gridRows(ViewRole role) {
        return slots.stream().filter(s -> s.role().equals(role)).mapToInt(s -> s.row() + 1).max().orElse(0);
    }

    /** Columns of {@code role}'s grid: one more than its largest column (0 when no view has the role). */
    public int gridCols(ViewRole role) {
        return slots.stream().filter(s -> s.role().equals(role)).mapToInt(s -> s.col() + 1).max().orElse(0);
    }
}
