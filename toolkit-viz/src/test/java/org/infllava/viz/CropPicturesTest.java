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

    /**
     * Any strategy's views are outlined at their source boxes: monkey on a 200×100 image (S = 50) has four windows
     * (2×2 of the image resized to 100×100 → boxes of 100×50 source pixels) and the whole image; at side 400 the
     * picture is 400×200 (scale 2), window (row 1, col 1) at (200, 100)-(400, 200) in orange, the whole image blue.
     */
    @Test
    void viewsOutlineEveryStrategysBoxesInTheirRoleColour() {
        BufferedImage img = SyntheticScene.render(200, 100, 8, 2).image();
        org.infllava.crop.CropStrategy monkey = org.infllava.crop.CropStrategies.get("monkey", 50);
        org.infllava.crop.ViewLayout layout = monkey.layout(200, 100);
        java.util.List<CropPictures.Outline> outlines = CropPictures.outlines(layout, 2.0);
        assertEquals(layout.count(), outlines.size());
        int whole = 0;
        for (CropPictures.Outline o : outlines) {
            org.infllava.crop.PixelBox b = layout.slots().get(o.index()).box();
            assertEquals(java.util.List.of(2 * b.x0(), 2 * b.y0(), 2 * b.x1(), 2 * b.y1()),
                    java.util.List.of(o.x0(), o.y0(), o.x1(), o.y1()), "view " + o.index());
            whole += b.width() == 200 && b.height() == 100 ? 1 : 0;
        }
        assertEquals(1, whole);
        CropPictures.Outline last = outlines.stream().filter(o -> o.x0() == 200 && o.y0() == 100).findFirst()
                .orElseThrow();
        assertEquals(java.util.List.of(400, 200), java.util.List.of(last.x1(), last.y1()));
        BufferedImage p = CropPictures.views(layout, img, 400);
        assertEquals(400, p.getWidth());
        assertEquals(200, p.getHeight());
        // The tile's left edge at x = 200 is drawn in the tile colour (mid-height, clear of labels and other edges).
        assertEquals(CropPictures.color(last.role()), p.getRGB(200, 160) & 0xFFFFFF);
        // A DCM's global sub-images have no box: only local and low-res views are outlined (9 + 1 of 19).
        org.infllava.crop.ViewLayout dcm = org.infllava.crop.CropStrategies.get("inf-dcm", 40).layout(120, 120);
        assertEquals(10, CropPictures.outlines(dcm, 1.0).size());
        // The strip puts view k at column k % perRow.
        org.infllava.crop.CropViews v = monkey.views(img);
        BufferedImage strip = CropPictures.strip(v, 3, 2);
        assertEquals(3 * 52 + 2, strip.getWidth());
        assertEquals(2 * 52 + 2, strip.getHeight());
        assertEquals(v.images().get(4).getRGB(0, 0), strip.getRGB(2 + 52, 2 + 52));
    }
}
