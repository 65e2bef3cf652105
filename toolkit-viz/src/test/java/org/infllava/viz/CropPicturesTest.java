package org.infllava.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.infllava.crop.DualCrops;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.GridMaps;
import org.infllava.crop.Perspective;
import org.junit.jupiter.api.Test;

class CropPicturesTest {

    @Test
    void sceneIsDeterministicAndHoldsItsGlyphs() {
        SyntheticScene a = SyntheticScene.render(240, 180, 10, 7);
        SyntheticScene b = SyntheticScene.render(240, 180, 10, 7);
        SyntheticScene c = SyntheticScene.render(240, 180, 10, 8);
        assertEquals(java.util.Arrays.hashCode(GridMaps.pixels(a.image())),
                java.util.Arrays.hashCode(GridMaps.pixels(b.image())));
        assertNotEquals(java.util.Arrays.hashCode(GridMaps.pixels(a.image())),
                java.util.Arrays.hashCode(GridMaps.pixels(c.image())));
        // (240 / 60) · (180 / 60) = 12 glyphs, each inside the image.
        assertEquals(12, a.glyphs().size());
        for (SyntheticScene.Glyph g : a.glyphs()) {
            assertTrue(g.x() >= 0 && g.x() + g.size() <= 240 && g.y() >= 0 && g.y() + g.size() <= 180, g.toString());
            // Each glyph box has its light background at its top-left corner pixel (drawn after the lines).
            assertEquals(0xF0F0F0, a.image().getRGB(g.x(), g.y()) & 0xFFFFFF, g.toString());
        }
    }

    @Test
    void mosaicPlacesSubImageKAtItsGridCell() {
        BufferedImage img = SyntheticScene.render(120, 80, 8, 1).image();
        DualCrops crops = DualPerspectiveCropper.builder().setSubImageSize(40).optGrid(3, 2).build().crop(img);
        BufferedImage m = CropPictures.mosaic(crops, Perspective.GLOBAL, 2);
        assertEquals(3 * 42 + 2, m.getWidth());
        assertEquals(2 * 42 + 2, m.getHeight());
        // Global sub-image 4 (row 1, col 1) starts at (2 + 42, 2 + 42); its pixel (0, 0) is canvas (x=1, y=1).
        assertEquals(crops.canvas().getRGB(1, 1), m.getRGB(44, 44));
        assertEquals(0xFFFFFFFF, m.getRGB(0, 0));
        BufferedImage o = CropPictures.overlay(crops, 4);
        assertEquals(0xFF00FF, o.getRGB(1 + 3, 1 + 2) & 0xFFFFFF); // marked: x = 1 + 3u, y = 1 + 2v with u = v = 1
    }
}
