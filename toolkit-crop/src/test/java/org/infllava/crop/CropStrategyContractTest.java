package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One contract, every registered {@link CropStrategy}. */
class CropStrategyContractTest {

    static Iterable<String> strategies() {
        return CropStrategies.names();
    }

    private static BufferedImage randomImage(int w, int h, long seed) {
        Random r = new Random(seed);
        return GridMaps.image(r.ints(w * h, 0, 1 << 24).toArray(), w, h);
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void everyViewHasTheLayoutSizeAndTheLayoutCount(String name) {
        CropStrategy s = CropStrategies.get(name);
        assertEquals(name, s.name());
        for (int[] size : new int[][] {{1008, 1008}, {700, 450}, {400, 900}}) {
            CropViews views = s.views(randomImage(size[0], size[1], size[0]));
            ViewLayout layout = s.layout(size[0], size[1]);
            assertEquals(layout, views.layout(), name);
            assertEquals(size[0], layout.sourceWidth());
            assertEquals(size[1], layout.sourceHeight());
            assertEquals(layout.count(), views.images().size(), name);
            for (BufferedImage v : views.images()) {
                assertEquals(layout.viewWidth(), v.getWidth(), name);
                assertEquals(layout.viewHeight(), v.getHeight(), name);
            }
            if (s instanceof DualPerspectiveCropper dcm) {
                DualCrops crops = dcm.crop(randomImage(size[0], size[1], size[0]));
                CropPlan plan = crops.plan();
                assertEquals(plan.encoderPasses(), layout.count(), name);
                for (Perspective p : plan.perspectives()) {
                    assertEquals(plan.grid().count(), crops.subImages(p).size());
                    assertArrayEquals(GridMaps.pixels(crops.canvas()),
                            GridMaps.pixels(GridMaps.recombine(crops.subImages(p), plan.grid(), p)), name + " " + p);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void cropIsDeterministic(String name) {
        BufferedImage img = randomImage(500, 400, 9);
        CropViews a = CropStrategies.get(name).views(img);
        CropViews b = CropStrategies.get(name).views(img);
        for (int i = 0; i < a.count(); i++) {
            assertArrayEquals(GridMaps.pixels(a.images().get(i)), GridMaps.pixels(b.images().get(i)));
        }
    }

    @Test
    void registryKnowsDcmFirstAndRejectsUnknownNames() {
        assertEquals("inf-dcm", CropStrategies.names().get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CropStrategies.get("nope"));
        assertTrue(e.getMessage().contains("inf-dcm"), e.getMessage());
    }
}
