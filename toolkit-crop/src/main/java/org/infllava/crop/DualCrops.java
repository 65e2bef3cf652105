package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The output of a {@link CropStrategy}: the plan, the canvas, the sub-images of each perspective (row-major, each
 * {@code W_l × H_l}) and the optional low-resolution view.
 *
 * @param plan what was done
 * @param canvas the resized image, {@code n_W·W_l × n_H·H_l}
 * @param local local-perspective sub-images, eq. (13); empty when the plan has no local perspective
 * @param global global-perspective sub-images, eq. (17); empty when the plan has no global perspective
 * @param lowRes the canvas resized to {@code W_l × H_l}, or {@code null}
 */
public record DualCrops(CropPlan plan, BufferedImage canvas, List<BufferedImage> local, List<BufferedImage> global,
        BufferedImage lowRes) {

    /** Freezes the lists. */
    public DualCrops {
        local = List.copyOf(local);
        global = List.copyOf(global);
    }

    /** The sub-images of one perspective. */
    public List<BufferedImage> subImages(Perspective perspective) {
        return perspective == Perspective.LOCAL ? local : global;
    }

    /** The low-resolution view, when the plan asks for one. */
    public Optional<BufferedImage> lowResView() {
        return Optional.ofNullable(lowRes);
    }

    /** Every image the encoder sees, in encoder order: the plan's perspectives, then the low-resolution view. */
    public List<BufferedImage> views() {
        List<BufferedImage> out = new ArrayList<>(plan.encoderPasses());
        for (Perspective p : plan.perspectives()) {
            out.addAll(subImages(p));
        }
        if (lowRes != null) {
            out.add(lowRes);
        }
        return out;
    }
}
