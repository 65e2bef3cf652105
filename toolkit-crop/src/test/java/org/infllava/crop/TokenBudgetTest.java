package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenBudgetTest {

    /**
     * CLIP-ViT-L/14-336 on a 1008×1008 image, 3×3 grid, both perspectives and the low-resolution view.
     *
     * <p>Passes 2·9 + 1 = 19. Tokens per pass (336/14)² + 1 = 577. Feature map 72·72 = 5184 tokens; after 3×3 average
     * pooling 24·24 = 576 go to the LLM. FLOPs of one pass with T = 577, d = 1024, m = 4096, L = 24:
     * per layer 4·577·1024² = 2,420,113,408; 2·577²·1024 = 681,838,592; 2·577·1024·4096 = 4,840,226,816; sum
     * 7,942,178,816; × 24 = 190,612,291,584. Patch embedding 576·3·14²·1024 = 346,816,512. Total ×2 (multiply-add)
     * = 381,918,216,192 per pass; × 19 = 7,256,446,107,648.
     */
    @Test
    void clipLargeAt1008() {
        CropPlan plan = ((DualPerspectiveCropper) CropStrategies.get("inf-dcm")).plan(1008, 1008);
        TokenBudget b = TokenBudget.of(plan, EncoderSpec.clipVitL14x336());
        assertEquals(19, b.encoderPasses());
        assertEquals(577, b.tokensPerPass());
        assertEquals(5184, b.featureMapTokens());
        assertEquals(576, b.llmTokens());
        assertEquals(381_918_216_192.0, b.flopsPerPass(), 1.0);
        assertEquals(7_256_446_107_648.0, b.encoderFlops(), 16.0);
        // One ViT pass over the whole 1008 canvas: P = 72² = 5184 patches, T = 5185. The T² term then dominates:
        // per layer 4·5185·1024² + 2·5185²·1024 + 2·5185·1024·4096 = 21,747,466,240 + 55,058,892,800
        // + 43,494,932,480 = 120,301,291,520; ×24 = 2,887,230,996,480; embed 5184·588·1024 = 3,121,348,608;
        // ×2 = 5,780,704,690,176.
        assertEquals(5_780_704_690_176.0, b.directFullResolutionFlops(), 16.0);
    }

    @Test
    void llavaBaselineIsOnePass() {
        TokenBudget b = TokenBudget.of(DualPerspectiveCropper.builder().setSubImageSize(336).optGrid(1, 1)
                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optPerspectives().optLowResView(true).build()
                .plan(640, 480), EncoderSpec.clipVitL14x336());
        assertEquals(1, b.encoderPasses());
        assertEquals(576, b.llmTokens());
        assertEquals(381_918_216_192.0, b.encoderFlops(), 1.0);
    }
}
