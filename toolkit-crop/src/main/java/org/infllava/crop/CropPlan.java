package org.infllava.crop;

import java.util.ArrayList;
import java.util.List;

/**
 * What the Dual-perspective Cropping Module does to one image: from a {@code sourceWidth × sourceHeight} source, the
 * {@code policy} makes a canvas of {@code grid.width() × grid.height()} which is cut into {@code grid.count()}
 * sub-images per perspective, plus an optional low-resolution view of one sub-image's size.
 *
 * @param sourceWidth width of the image as given
 * @param sourceHeight height of the image as given
 * @param grid the sub-image grid; its canvas is the resized size
 * @param policy how the source became the canvas
 * @param perspectives which perspectives are cropped, in encoder order (both for INF-LLaVA; none for LLaVA-1.5)
 * @param lowResView whether a low-resolution view of the whole canvas joins the sub-images
 */
public record CropPlan(int sourceWidth, int sourceHeight, CropGrid grid, ResizePolicy policy,
        List<Perspective> perspectives, boolean lowResView) {

    /** Validates and freezes. */
    public CropPlan {
        if (sourceWidth < 1 || sourceHeight < 1) {
            throw new IllegalArgumentException("source size must be positive, got " + sourceWidth + "x" + sourceHeight);
        }
        perspectives = List.copyOf(perspectives);
        if (perspectives.stream().distinct().count() != perspectives.size()) {
            throw new IllegalArgumentException("perspectives repeat: " + perspectives);
        }
        if (perspectives.isEmpty() && !lowResView) {
            throw new IllegalArgumentException("a plan needs at least one perspective or the low-resolution view");
        }
    }

    /** Canvas width after the resize policy: {@code n_W·W_l}. */
    public int resizedWidth() {
        return grid.width();
    }

    /** Canvas height after the resize policy: {@code n_H·H_l}. */
    public int resizedHeight() {
        return grid.height();
    }

    /** Sub-image width {@code W_l}. */
    public int subWidth() {
        return grid.subWidth();
    }

    /** Sub-image height {@code H_l}. */
    public int subHeight() {
        return grid.subHeight();
    }

    /** How many images the vision encoder sees: {@code N} per perspective, plus one for the low-resolution view. */
    public int encoderPasses() {
        return perspectives.size() * grid.count() + (lowResView ? 1 : 0);
    }

    /** Where sub-image {@code k} of a perspective comes from. */
    public SubImageRef view(Perspective perspective, int k) {
        return SubImageRef.of(perspective, grid, k);
    }

    /** Every sub-image reference, perspective by perspective in encoder order, row-major within each. */
    public List<SubImageRef> views() {
        List<SubImageRef> out = new ArrayList<>();
        for (Perspective p : perspectives) {
            for (int k = 0; k < grid.count(); k++) {
                out.add(view(p, k));
            }
        }
        return out;
    }
}
