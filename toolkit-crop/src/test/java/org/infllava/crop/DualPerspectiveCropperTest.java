package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;

class DualPerspectiveCropperTest {

    private static DualPerspectiveCropper.Builder sub(int s) {
        return DualPerspectiveCropper.builder().setSubImageSize(s);
    }

    /** Crops of the 70×50 image against NumPy slices of eq. (13) and (17), with Pillow for the resizes. */
    private static void assertMatchesNumpy(String caseName, DualCrops crops) {
        CropGrid g = crops.plan().grid();
        for (int k = 0; k < g.count(); k++) {
            int r = g.rowOf(k);
            int c = g.colOf(k);
            Goldens.assertImageEquals(Goldens.npy("contract_" + caseName + "_local-" + r + "-" + c + ".npy"),
                    crops.local().get(k), caseName + " local " + r + "," + c);
            Goldens.assertImageEquals(Goldens.npy("contract_" + caseName + "_global-" + r + "-" + c + ".npy"),
                    crops.global().get(k), caseName + " global " + r + "," + c);
        }
    }

    @Test
    void noResizeMatchesNumpySlices() {
        DualCrops crops = sub(10).optResizePolicy(ResizePolicy.NONE).build().crop(Goldens.png("contract_src.png"));
        assertEquals(CropGrid.of(7, 5, 10, 10), crops.plan().grid());
        assertMatchesNumpy("none_s10", crops);
    }

    @Test
    void truncateKeepsTheTopLeftFloorGrid() {
        // floor(70/16) = 4, floor(50/16) = 3 -> canvas 64×48.
        DualCrops crops = sub(16).optMaxGrid(8).optResizePolicy(ResizePolicy.TRUNCATE).build()
                .crop(Goldens.png("contract_src.png"));
        assertEquals(CropGrid.of(4, 3, 16, 16), crops.plan().grid());
        assertMatchesNumpy("truncate_s16", crops);
    }

    @Test
    void gridFitResizesWithPillowBicubic() {
        DualCrops crops = sub(12).optGrid(3, 2).build().crop(Goldens.png("contract_src.png"));
        assertEquals(36, crops.plan().resizedWidth());
        assertEquals(24, crops.plan().resizedHeight());
        assertMatchesNumpy("grid_s12_3x2", crops);
    }

    @Test
    void padToSquareThenResizeAndLowResView() {
        DualCrops crops = sub(16).optGrid(2, 2).optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optLowResView(true)
                .build().crop(Goldens.png("contract_src.png"));
        assertMatchesNumpy("pad_s16_2x2", crops);
        Goldens.assertImageEquals(Goldens.npy("contract_pad_s16_2x2_low-res.npy"), crops.lowRes(), "low-res");
        assertEquals(2 * 4 + 1, crops.views().size());
        assertEquals(9, crops.plan().encoderPasses());
    }

    @Test
    void recombinationInvertsBothPerspectivesOnTheCanvas() {
        DualCrops crops = sub(16).optGrid(3, 2).build().crop(Goldens.png("resize_src.png"));
        int[] canvas = GridMaps.pixels(crops.canvas());
        assertArrayEquals(canvas, GridMaps.pixels(GridMaps.recombineLocal(crops.local(), crops.plan().grid())));
        assertArrayEquals(canvas, GridMaps.pixels(GridMaps.recombineGlobal(crops.global(), crops.plan().grid())));
    }

    @Test
    void automaticGridFollowsEquations9And10() {
        DualPerspectiveCropper dcm = sub(336).optMaxGrid(4).build();
        assertEquals(CropGrid.of(3, 2, 336, 336), dcm.plan(1100, 700).grid()); // floor(1100/336)=3, floor(700/336)=2
        assertEquals(CropGrid.of(1, 1, 336, 336), dcm.plan(200, 100).grid()); // at least 1×1
        assertEquals(CropGrid.of(4, 4, 336, 336), dcm.plan(5000, 5000).grid()); // capped at optMaxGrid
        DualPerspectiveCropper pad = sub(336).optResizePolicy(ResizePolicy.PAD_TO_SQUARE).build();
        assertEquals(CropGrid.of(3, 3, 336, 336), pad.plan(1100, 700).grid()); // square from max side 1100 -> 3
        DualPerspectiveCropper centre = sub(336).optResizePolicy(ResizePolicy.SQUARE_CENTER_CROP).build();
        assertEquals(CropGrid.of(2, 2, 336, 336), centre.plan(1100, 700).grid()); // square from min side 700 -> 2
    }

    @Test
    void squareCentreCropKeepsTheMiddle() {
        // 6×2 image with column value = x: shortest edge 2 -> target 2 (no resize), centre offset (6-2)/2 = 2.
        int[] px = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5};
        DualCrops crops = sub(2).optGrid(1, 1).optResizePolicy(ResizePolicy.SQUARE_CENTER_CROP).build()
                .crop(GridMaps.image(px, 6, 2));
        assertArrayEquals(new int[] {2, 3, 2, 3}, GridMaps.pixels(crops.canvas()));
    }

    @Test
    void perspectivesAreConfigurable() {
        BufferedImage img = GridMaps.image(new int[64], 8, 8);
        DualCrops globalOnly = sub(4).optGrid(2, 2).optPerspectives(Perspective.GLOBAL).build().crop(img);
        assertEquals(List.of(), globalOnly.local());
        assertEquals(4, globalOnly.global().size());
        assertEquals(4, globalOnly.views().size());
    }

    @Test
    void noneRejectsSizesThatAreNotMultiples() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> sub(336).optResizePolicy(ResizePolicy.NONE).build().plan(1000, 1008));
        assertTrue(e.getMessage().contains("1000x1008") && e.getMessage().contains("exact multiple"), e.getMessage());
        InvalidInputException small = assertThrows(InvalidInputException.class,
                () -> sub(336).optResizePolicy(ResizePolicy.TRUNCATE).build().plan(300, 400));
        assertTrue(small.getMessage().contains("smaller than one sub-image"), small.getMessage());
    }

    @Test
    void builderRejectsImpossibleSettingsNamingTheValues() {
        assertMessage("setSubImageSize is required", () -> DualPerspectiveCropper.builder().build());
        assertMessage("subWidth=-3", () -> sub(-3).build());
        assertMessage("0x3", () -> sub(336).optGrid(0, 3).build());
        assertMessage("maxGrid must be at least 1, got 0", () -> sub(336).optMaxGrid(0).build());
        assertMessage("optGrid(3, 3) and optMaxGrid(2)", () -> sub(336).optGrid(3, 3).optMaxGrid(2).build());
        assertMessage("1008x672", () -> sub(336).optGrid(3, 2).optResizePolicy(ResizePolicy.PAD_TO_SQUARE).build());
        assertMessage("nothing to crop", () -> sub(336).optPerspectives().build());
        assertMessage("repeat", () -> sub(336).optPerspectives(Perspective.LOCAL, Perspective.LOCAL).build());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(expected), "message '" + ex.getMessage() + "' lacks '" + expected + "'");
    }
}
