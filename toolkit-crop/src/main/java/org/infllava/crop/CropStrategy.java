package org.infllava.crop;

import java.awt.image.BufferedImage;

/**
 * A way of turning one high-resolution image into the ordered low-resolution views a pretrained encoder takes, each
 * with a role and its box in the source image. Implementations are registered in {@link CropStrategies}; INF-LLaVA's
 * DCM is {@code "inf-dcm"} ({@link DualPerspectiveCropper}, which also exposes its {@link CropPlan} and
 * {@link DualCrops}).
 */
public interface CropStrategy {

    /** The registry name. */
    String name();

    /**
     * The views for a source of {@code width × height}, without reading pixels.
     *
     * @throws org.infllava.io.InvalidInputException when this strategy cannot crop an image of that size
     */
    ViewLayout layout(int width, int height);

    /** Crops an RGB image (see {@link ClipPreprocessor#toRgb}) into the views of {@link #layout}, in that order. */
    CropViews views(BufferedImage rgb);
}
