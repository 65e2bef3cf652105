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

    /** Views fit the encoder: every view is S × S for the registry's S and for another S. */
    @ParameterizedTest
    @MethodSource("strategies")
    void viewsFitTheEncoderSize(String name) {
        for (int s : new int[] {CropStrategies.DEFAULT_SUB_SIZE, 28}) {
            CropStrategy strategy = CropStrategies.get(name, s);
            for (int[] size : new int[][] {{90, 60}, {33, 200}, {1000, 1000}}) {
                ViewLayout layout = strategy.layout(size[0], size[1]);
                assertEquals(s, layout.viewWidth(), name + " at " + s);
                assertEquals(s, layout.viewHeight(), name + " at " + s);
            }
        }
        BufferedImage img = randomImage(90, 61, 3);
        for (BufferedImage v : CropStrategies.get(name, 28).views(img).images()) {
            assertEquals(28, v.getWidth(), name);
            assertEquals(28, v.getHeight(), name);
        }
    }

    /**
     * Boxes lie inside the source; whole-image views (base, thumbnail, low-res) have the whole image; each grid of
     * tiles covers every source pixel with its boxes, and neighbouring boxes of a grid overlap by at most one pixel.
     */
    @ParameterizedTest
    @MethodSource("strategies")
    void boxesLieInsideAndTileTheSource(String name) {
        CropStrategy s = CropStrategies.get(name);
        for (int[] size : new int[][] {{1008, 1008}, {700, 450}, {400, 900}, {1200, 180}, {200, 150}}) {
            ViewLayout layout = s.layout(size[0], size[1]);
            java.util.Map<ViewRole, boolean[]> covered = new java.util.HashMap<>();
            for (ViewSlot v : layout.slots()) {
                ViewRole.Kind k = v.role().kind();
                if (k == ViewRole.Kind.BASE || k == ViewRole.Kind.THUMBNAIL || k == ViewRole.Kind.LOW_RES) {
                    assertEquals(PixelBox.whole(size[0], size[1]), v.box(), name + " " + v.role());
                } else if (k == ViewRole.Kind.GLOBAL) {
                    assertEquals(null, v.box(), name + ": a strided global sub-image has no box");
                } else if (v.box() != null) {
                    assertTrue(v.box().inside(size[0], size[1]), name + " " + v.box());
                    boolean[] c = covered.computeIfAbsent(v.role(), r -> new boolean[size[0] * size[1]]);
                    for (int y = v.box().y0(); y < v.box().y1(); y++) {
                        for (int x = v.box().x0(); x < v.box().x1(); x++) {
                            c[y * size[0] + x] = true;
                        }
                    }
                }
            }
            for (var e : covered.entrySet()) {
                int missing = 0;
                for (boolean b : e.getValue()) {
                    missing += b ? 0 : 1;
                }
                assertEquals(0, missing, name + " " + e.getKey() + " boxes on " + size[0] + "x" + size[1]);
            }
            for (ViewSlot a : layout.slots()) {
                for (ViewSlot b : layout.slots()) {
                    if (a != b && a.role().equals(b.role()) && a.box() != null && b.box() != null
                            && a.role().kind() != ViewRole.Kind.LOW_RES) {
                        int ox = Math.min(a.box().x1(), b.box().x1()) - Math.max(a.box().x0(), b.box().x0());
                        int oy = Math.min(a.box().y1(), b.box().y1()) - Math.max(a.box().y0(), b.box().y0());
                        if (a.row() == b.row() && Math.abs(a.col() - b.col()) == 1) {
                            assertTrue(ox <= 1, name + ": " + a + " / " + b);
                        }
                        if (a.col() == b.col() && Math.abs(a.row() - b.row()) == 1) {
                            assertTrue(oy <= 1, name + ": " + a + " / " + b);
                        }
                    }
                }
            }
        }
    }

    /** The budget's views and passes equal the layout's count, and its FLOPs are passes × one pass. */
    @ParameterizedTest
    @MethodSource("strategies")
    void budgetCountsTheLayout(String name) {
        CropStrategy s = CropStrategies.get(name);
        EncoderSpec clip = EncoderSpec.clipVitL14x336();
        for (int[] size : new int[][] {{1008, 1008}, {1920, 1080}, {336, 2000}}) {
            ViewLayout layout = s.layout(size[0], size[1]);
            FrontEndBudget b = FrontEndBudget.of(s, size[0], size[1], clip);
            assertEquals(layout.count(), b.views(), name);
            assertEquals(layout.count(), b.encoderPasses(), name);
            assertEquals(577, b.tokensPerPass(), name);
            assertEquals(381_918_216_192.0 * layout.count(), b.encoderFlops(), 16.0 * layout.count(), name);
            assertTrue(b.visualTokens() > 0 && b.channelMultiplier() >= 1, name);
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
    void registryHoldsEveryFrontEndOfTheIssue() {
        assertEquals(java.util.List.of("inf-dcm", "inf-dcm-auto", "llava-1.5", "llava-next-anyres", "internvl-dynamic",
                "s2", "monkey"), CropStrategies.names());
    }

    @Test
    void registryKnowsDcmFirstAndRejectsUnknownNames() {
        assertEquals("inf-dcm", CropStrategies.names().get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CropStrategies.get("nope"));
        assertTrue(e.getMessage().contains("inf-dcm"), e.getMessage());
    }
}
