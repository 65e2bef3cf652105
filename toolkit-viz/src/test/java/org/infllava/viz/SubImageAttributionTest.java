package org.infllava.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.junit.jupiter.api.Test;

/** d = 16, 3×3 grid, 4×4 token sub-features (maps 12×12), random inputs. */
class SubImageAttributionTest {

    private static SubImageAttribution.Attribution attribute(DualPerspectiveEnhancement dem, NDManager m) {
        dem.initialize(m, 11);
        ai.djl.engine.Engine.getInstance().setRandomSeed(12);
        NDArray local = m.randomNormal(new Shape(9, 4, 4, 16));
        NDArray global = m.randomNormal(new Shape(9, 4, 4, 16));
        return SubImageAttribution.builder().setDem(dem).optSeed(3).build().attribute(local, global, null);
    }

    /**
     * REFERENCE: bilinear at factor 3 reads only the window centres (3i+1, 3j+1) of the 12×12 fused map, where both
     * directions read only global sub-image #4 (phase (1, 1) of eq. 17): the other 8 global sub-images get exactly
     * zero gradient, so exactly zero gradient × input. PAPER averages every position: all 18 are non-zero.
     */
    @Test
    void referenceHasEightDeadGlobalSubImagesAndPaperNone() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SubImageAttribution.Attribution ref = attribute(DemPresets.reference(16, 3, 3, 2), m);
            for (int k = 0; k < 9; k++) {
                assertNotEquals(0f, ref.local()[k], "REFERENCE local " + k);
                if (k == 4) {
                    assertNotEquals(0f, ref.global()[k], "REFERENCE global #4");
                } else {
                    assertEquals(0f, ref.global()[k], "REFERENCE global " + k);
                }
            }
            assertEquals(8, ref.deadCount(true));
            assertEquals(0, ref.deadCount(false));

            SubImageAttribution.Attribution paper = attribute(DemPresets.paper(16, 3, 3), m);
            for (int k = 0; k < 9; k++) {
                assertNotEquals(0f, paper.local()[k], "PAPER local " + k);
                assertNotEquals(0f, paper.global()[k], "PAPER global " + k);
            }
            assertEquals(0, paper.deadCount(true));

            // The heat map shows it: cell 8 px, global grid starts at x = (3 + 1)·8 = 32. REFERENCE global #0 (row 0,
            // col 0) is white, #4 (row 1, col 1, centre (32 + 12, 12)) is not; PAPER's global #0 is coloured.
            BufferedImage h = ref.heatmap(8);
            assertEquals(7 * 8, h.getWidth());
            assertEquals(3 * 8, h.getHeight());
            assertEquals(0xFFFFFF, h.getRGB(32 + 4, 4) & 0xFFFFFF);
            assertEquals(SubImageAttribution.Attribution.colour(ref.global()[4], max(ref)),
                    h.getRGB(32 + 12, 12) & 0xFFFFFF);
            assertNotEquals(0xFFFFFF, h.getRGB(32 + 12, 12) & 0xFFFFFF);
            assertNotEquals(0xFFFFFF, paper.heatmap(8).getRGB(32 + 4, 4) & 0xFFFFFF);
        }
    }

    /**
     * One output token of REFERENCE: output (2, 1) is bilinear's exact sample of fused position (3·2+1, 3·1+1) =
     * (7, 4) of the 12×12 maps. Direction A (global query, C_loc blocks): query F^glo(7, 4) = global sub-image
     * (7 mod 3, 4 mod 3) = (1, 1) = #4, keys the 4×4 block (7 div 4, 4 div 4) = (1, 1) of F^loc = local sub-image #4.
     * Direction B (local query, C_glo strided): query F^loc(7, 4) = local #4, keys the phase-(1, 1) tokens of F^glo =
     * global #4. Residuals, fusion and LayerNorms are token-wise, so only local #4 and global #4 are live.
     */
    @Test
    void oneOutputTokenOfReferenceReadsOnlyLocalAndGlobalFour() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            DualPerspectiveEnhancement dem = DemPresets.reference(16, 3, 3, 2);
            dem.initialize(m, 11);
            NDArray local = m.randomNormal(new Shape(9, 4, 4, 16));
            NDArray global = m.randomNormal(new Shape(9, 4, 4, 16));
            SubImageAttribution.Attribution one = SubImageAttribution.builder().setDem(dem).optToken(2, 1).build()
                    .attribute(local, global, null);
            assertEquals(8, one.deadCount(true));
            assertEquals(8, one.deadCount(false));
            assertNotEquals(0f, one.local()[4]);
            assertNotEquals(0f, one.global()[4]);
            assertThrows(IllegalArgumentException.class,
                    () -> SubImageAttribution.builder().setDem(dem).optToken(4, 0).build().attribute(local, global,
                            null));
        }
    }

    private static float max(SubImageAttribution.Attribution a) {
        float max = 0;
        for (int k = 0; k < a.local().length; k++) {
            max = Math.max(max, Math.max(Math.abs(a.local()[k]), Math.abs(a.global()[k])));
        }
        return max;
    }
}
