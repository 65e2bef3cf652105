package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The views of one image: its {@link ViewLayout} and, in the same order, the RGB images the encoder takes (before
 * normalisation), each {@code viewWidth × viewHeight}.
 *
 * @param layout the roles and boxes
 * @param images one image per slot
 */
public record CropViews(ViewLayout layout, List<BufferedImage> images) {

    /** Validates and freezes. */
    public CropViews {
        images = List.copyOf(images);
        if (images.size() != layout.count()) {
            throw new IllegalArgumentException(layout.strategy() + ": " + images.size() + " images for "
                    + layout.count() + " view slots");
        }
        for (int i = 0; i < images.size(); i++) {
            BufferedImage im = images.get(i);
            if (im.getWidth() != layout.viewWidth() || im.getHeight() != layout.viewHeight()) {
                throw new IllegalArgumentException(layout.strategy() + ": view " + i + " is " + im.getWidth() + "x"
                        + im.getHeight() + ", expected " + layout.viewWidth() + "x" + layout.viewHeight());
            }
        }
    }

    /** The number of views. */
    public int count() {
        return images.size();
    }
}
