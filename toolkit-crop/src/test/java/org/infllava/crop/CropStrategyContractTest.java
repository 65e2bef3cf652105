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
    void everyViewHasTheSubImageSizeAndThePlannedCount(String name) {
        CropStrategy s = CropStrategies.get(name);
        assertEquals(name, s.name());
        for (int[] size : new int[][] {{1008, 1008}, {700, 450}, {400, 900}}) {
            DualCrops crops = s.crop(randomImage(size[0], size[1], size[0]));
            CropPlan plan = crops.plan();
            assertEquals(size[0], plan.sourceWidth());
            assertEquals(plan.encoderPasses(), crops.views().size(), name);
            for (BufferedImage v : crops.views()) {
                assertEquals(plan.subWidth(), v.getWidth(), name);
                assertEquals(plan.subHeight(), v.getHeight(), name);
            }
            assertEquals(plan.resizedWidth(), crops.canvas().getWidth());
            assertEquals(plan.resizedHeight(), crops.canvas().getHeight());
            for (Perspective p : plan.perspectives()) {
                assertEquals(plan.grid().count(), crops.subImages(p).size());
                assertArrayEquals(GridMaps.pixels(crops.canvas()),
                        GridMaps.pixels(GridMaps.recombine(crops.subImages(p), plan.grid(), p)), name + " " + p);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void cropIsDeterministic(String name) {
        BufferedImage img = randomImage(500, 400, 9);
        DualCrops a = CropStrategies.get(name).crop(img);
        DualCrops b = CropStrategies.get(name).crop(img);
        for (int i = 0; i < a.views().size(); i++) {
            assertArrayEquals(GridMaps.pixels(a.views().get(i)), GridMaps.pixels(b.views().get(i)));
        }
    }

    @Test
    void registryKnowsDcmFirstAndRejectsUnknownNames() {
        assertEquals("inf-dcm", CropStrategies.names().get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CropStrategies.get("nope"));
        assertTrue(e.getMessage().contains("inf-dcm"), e.getMessage());
    }
}
