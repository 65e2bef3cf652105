package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * LLaVA-1.5's single view ({@code llava-1.5}): the image padded to a square with the mean colour, then resized to
 * one {@code S × S} view.
 *
 * <p>Source: github.com/haotian-liu/LLaVA, {@code llava/mm_utils.py}: {@code process_images} with
 * {@code image_aspect_ratio == "pad"} calls {@code expand2square(image, tuple(int(x*255) for x in
 * image_processor.image_mean))} — the image pasted at {@code (0, ⌊(w − h)/2⌋)} (landscape) or
 * {@code (⌊(h − w)/2⌋, 0)} (portrait) on a {@code max(w, h)}² square of the pad colour, CLIP's mean × 255 truncated:
 * {@code (122, 116, 104)} — then {@code CLIPImageProcessor}: shortest edge to {@code S} with Pillow's bicubic
 * (the square becomes {@code S × S}) and a centre crop of {@code S × S}, which is the identity on the square.
 *
 * <p>The view's role is {@link ViewRole#LOW_RES}: the toolkit's LLaVA-1.5 baseline has always fed this view to the
 * model as its low-resolution view (the last view; {@code InfLlavaModel}'s reference low-resolution path), and it is
 * pixel-identical to what the earlier {@code llava-1.5} entry ({@link DualPerspectiveCropper} with a 1×1 grid, no
 * perspective, {@link ResizePolicy#PAD_TO_SQUARE} and the low-resolution view) made, so models built with it keep
 * their outputs. Its box is the whole source image. Tokens: the view's patches ({@code g²}, 576 for
 * CLIP-ViT-L/14-336).
 */
public final class PaddedSquareCropper implements CropStrategy {

    /** Registry name. */
    public static final String NAME = "llava-1.5";

    private final String name;
    private final int size;
    private final int padColor;

    private PaddedSquareCropper(Builder b) {
        this.name = b.name;
        this.size = b.size;
        this.padColor = b.padColor;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** The view side {@code S}. */
    public int size() {
        return size;
    }

    /** The pad colour, packed {@code 0xRRGGBB}. */
    public int padColor() {
        return padColor;
    }

    @Override
    public ViewLayout layout(int width, int height) {
        Checks.positive(width, height);
        return new ViewLayout(name, width, height, size, size,
                List.of(new ViewSlot(ViewRole.LOW_RES, 0, 0, PixelBox.whole(width, height))));
    }

    @Override
    public CropViews views(BufferedImage rgb) {
        BufferedImage img = ClipPreprocessor.toRgb(rgb);
        ViewLayout layout = layout(img.getWidth(), img.getHeight());
        BufferedImage square = expand2square(img, padColor);
        return new CropViews(layout, List.of(ClipPreprocessor.resize(square, size, size)));
    }

    /**
     * LLaVA's {@code expand2square}: a {@code max(w, h)}² square of {@code color} with the image pasted at
     * {@code (⌊(max − w)/2⌋, ⌊(max − h)/2⌋)}; the image itself when already square.
     */
    public static BufferedImage expand2square(BufferedImage rgb, int color) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        if (w == h) {
            return rgb;
        }
        int side = Math.max(w, h);
        return ViewImages.pasteOn(rgb, side, side, color, (side - w) / 2, (side - h) / 2);
    }

    @Override
    public String toString() {
        return name + "[size=" + size + ", pad=#" + String.format("%06x", padColor) + "]";
    }

    /** Builder: {@code setSubImageSize} is required. */
    public static final class Builder {
        private String name = NAME;
        private int size = -1;
        private int padColor = ClipPreprocessor.clip().padColor();

        private Builder() {}

        /** The view side {@code S} (the encoder's resolution, e.g. 336). Required. */
        public Builder setSubImageSize(int size) {
            this.size = size;
            return this;
        }

        /** The pad colour, packed {@code 0xRRGGBB}; default CLIP's mean × 255 truncated, {@code (122, 116, 104)}. */
        public Builder optPadColor(int rgb) {
            this.padColor = rgb;
            return this;
        }

        /** The registry name; default {@code llava-1.5}. */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Validates, naming the values. */
        public PaddedSquareCropper build() {
            Checks.subSize(size);
            if ((padColor & ~0xFFFFFF) != 0) {
                throw new IllegalArgumentException("pad colour must be packed 0xRRGGBB, got 0x"
                        + Integer.toHexString(padColor));
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            return new PaddedSquareCropper(this);
        }
    }
}
