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

    /**
     * What this strategy's default token assembler hands the LLM for {@code layout} (one of this strategy's layouts)
     * on {@code encoder}. The default is plain concatenation: every view's patch tokens, one after another
     * ({@code count · g_w·g_h} tokens of width {@code d}); strategies with another assembler override it.
     */
    default FrontEndBudget budget(ViewLayout layout, EncoderSpec encoder) {
        return FrontEndBudget.forLayout(layout, encoder,
                layout.count() * FrontEndBudget.patchesPerView(layout, encoder), 1);
    }
}
