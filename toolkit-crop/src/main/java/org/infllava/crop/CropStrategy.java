package org.infllava.crop;

import java.awt.image.BufferedImage;

/**
 * A way of turning one high-resolution image into the low-resolution views a pretrained encoder can take.
 * Implementations are registered in {@link CropStrategies}; INF-LLaVA's DCM is {@code "inf-dcm"}.
 */
public interface CropStrategy {

    /** The registry name. */
    String name();

    /**
     * The plan for a source of {@code width × height}.
     *
     * @throws org.infllava.io.InvalidInputException when this strategy cannot crop an image of that size
     */
    CropPlan plan(int width, int height);

    /** Crops an RGB image (see {@link ClipPreprocessor#toRgb}) according to {@link #plan}. */
    DualCrops crop(BufferedImage rgb);
}
