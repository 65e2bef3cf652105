package org.infllava.frontend;

import java.awt.image.BufferedImage;
import java.util.List;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.CropGrid;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.CropViews;
import org.infllava.crop.DualCrops;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;

/**
 * A visual front-end: how a high-resolution image reaches a low-resolution encoder (a {@link CropStrategy}) and how
 * the encoder's features of its views become the visual tokens (a {@link TokenAssembler}). INF-LLaVA is DCM + DEM,
 * LLaVA-1.5 one padded view + identity; {@link VisualFrontEnds} registers the field's others.
 *
 * <pre>{@code
 * image ─strategy→ V views (S×S) ─normalise→ (V, 3, S, S) ─encoder→ (V, g², d) ─assembler→ (1, T_f, d')
 *       ─projector (+ toLlm)→ (1, T, d_llm)
 * }</pre>
 *
 * @param name the registry name ({@code inf-dcm}, {@code llava-next-anyres}, ...) or a custom one
 * @param strategy the crop strategy
 * @param assembler the token assembler
 * @param referenceLowRes for a DCM with a low-resolution view: compute that view as the published code does (bicubic
 *     of the normalised canvas, {@link ClipPreprocessor#lowResReference}) instead of from the RGB canvas
 */
public record VisualFrontEnd(String name, CropStrategy strategy, TokenAssembler assembler, boolean referenceLowRes) {

    /** Validates. */
    public VisualFrontEnd {
        if (name == null || name.isBlank() || strategy == null || assembler == null) {
            throw new IllegalArgumentException("a visual front-end needs a name, a crop strategy and a token assembler,"
                    + " got name=" + name + " strategy=" + strategy + " assembler=" + assembler);
        }
        if (referenceLowRes && !(strategy instanceof DualPerspectiveCropper)) {
            throw new IllegalArgumentException("referenceLowRes applies to a DCM's low-resolution view; front-end "
                    + name + " crops with " + strategy.name());
        }
    }

    /** The normalised views of one image, in encoder order. */
    public record Pixels(ViewLayout layout, float[] data) {
        /** The number of views {@code V}; {@link #data} is {@code (V, 3, S, S)}. */
        public int count() {
            return layout.count();
        }
    }

    /**
     * Crops and normalises one image: {@code (V, 3, S, S)} in the layout's order.
     *
     * @param image any decoded image; converted to RGB
     */
    public Pixels pixels(BufferedImage image, ClipPreprocessor preprocessor) {
        BufferedImage rgb = ClipPreprocessor.toRgb(image);
        List<BufferedImage> images;
        ViewLayout layout;
        BufferedImage canvas = null;
        if (strategy instanceof DualPerspectiveCropper dcm) {
            DualCrops crops = dcm.crop(rgb);
            layout = dcm.layoutOf(crops.plan());
            images = crops.views();
            canvas = crops.canvas();
        } else {
            CropViews views = strategy.views(rgb);
            layout = views.layout();
            images = views.images();
        }
        int w = layout.viewWidth();
        int h = layout.viewHeight();
        int per = 3 * w * h;
        float[] all = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(preprocessor.normalize(images.get(i)), 0, all, i * per, per);
        }
        List<Integer> low = layout.indicesOf(ViewRole.LOW_RES);
        if (referenceLowRes && !low.isEmpty()) {
            CropGrid g = ((DualPerspectiveCropper) strategy).plan(rgb.getWidth(), rgb.getHeight()).grid();
            float[] ref = ClipPreprocessor.lowResReference(preprocessor.normalize(canvas), g.height(), g.width(), h, w);
            System.arraycopy(ref, 0, all, low.get(0) * per, per);
        }
        return new Pixels(layout, all);
    }

    @Override
    public String toString() {
        return name + " (" + strategy.name() + " + " + assembler.name() + ")";
    }
}
