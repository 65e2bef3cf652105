package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each front-end's selection rule, inverse round trip and token budget, derived by hand from the published code
 * (the derivations are in the comments; pixel-exactness on real photographs is {@link FrontEndGoldensTest}).
 */
class FrontEndStrategiesTest {

    private static final EncoderSpec CLIP = EncoderSpec.clipVitL14x336();
    /** One CLIP-ViT-L/14-336 pass, T = 577 (derived in {@link TokenBudgetTest}). */
    private static final double PASS = 381_918_216_192.0;

    private static BufferedImage randomImage(int w, int h, long seed) {
        Random r = new Random(seed);
        return GridMaps.image(r.ints(w * h, 0, 1 << 24).toArray(), w, h);
    }

    private static int[] px(BufferedImage im) {
        return GridMaps.pixels(im);
    }

    private static List<BufferedImage> imagesOf(CropViews v, ViewRole role) {
        return v.layout().indicesOf(role).stream().map(i -> v.images().get(i)).toList();
    }

    // ------------------------------------------------------------------------------------------------ llava-1.5

    /** The new llava-1.5 entry makes exactly the pixels the earlier 1×1 DCM entry made: saved models are unchanged. */
    @Test
    void llava15EqualsTheEarlierDcmEntryPixelForPixel() {
        DualPerspectiveCropper old = DualPerspectiveCropper.builder().setSubImageSize(336).optGrid(1, 1)
                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optPerspectives().optLowResView(true)
                .optName("llava-1.5").build();
        CropStrategy now = CropStrategies.get("llava-1.5");
        assertTrue(now instanceof PaddedSquareCropper);
        for (int[] s : new int[][] {{700, 450}, {301, 900}, {336, 336}, {120, 80}}) {
            BufferedImage img = randomImage(s[0], s[1], s[0] + s[1]);
            CropViews a = old.views(img);
            CropViews b = now.views(img);
            assertEquals(1, b.count());
            assertEquals(ViewRole.LOW_RES, b.layout().slots().get(0).role());
            assertArrayEquals(px(a.images().get(0)), px(b.images().get(0)), s[0] + "x" + s[1]);
        }
        // (122, 116, 104) = ⌊255 · CLIP mean⌋, the earlier pad colour too
        assertEquals(0x7A7468, ((PaddedSquareCropper) now).padColor());
        assertEquals(0x7A7468, ClipPreprocessor.clip().padColor());
    }

    /** expand2square: 5×3 → 5×5 with the image at row ⌊(5−3)/2⌋ = 1; a 3×5 image at column 1. */
    @Test
    void expand2squareCentresOnTheLongerSide() {
        BufferedImage wide = randomImage(5, 3, 1);
        BufferedImage sq = PaddedSquareCropper.expand2square(wide, 0x010203);
        assertEquals(5, sq.getWidth());
        int[] p = px(sq);
        int[] w = px(wide);
        for (int x = 0; x < 5; x++) {
            assertEquals(0x010203, p[x]);
            assertEquals(w[x], p[5 + x]);
            assertEquals(0x010203, p[20 + x]);
        }
        BufferedImage tall = PaddedSquareCropper.expand2square(randomImage(3, 5, 2), 0x010203);
        assertEquals(0x010203, px(tall)[0]);
        assertEquals(px(randomImage(3, 5, 2))[0], px(tall)[1]);
    }

    // ---------------------------------------------------------------------------------------------- LLaVA-NeXT

    /**
     * 1920×1080, S = 336. Effective resolutions: 336×672: scale min(0.175, 0.622) → 336×189 = 63,504;
     * 672×336: 0.311 → 597×336 = 200,592; 672×672: 0.35 → 672×378 = 254,016; 1008×336: 0.311 → 200,592;
     * 336×1008: 0.175 → 63,504. Best 672×672 (2×2 tiles): width filled, h' = min(⌈1080·0.35⌉, 672) = 378, pasted at
     * y = ⌊(672 − 378)/2⌋ = 147. Tokens: the map is 48×48; 1920/1080 > 1 so s = 48/1920, h' = int(27.0) = 27,
     * padding ⌊(48 − 27)/2⌋ = 10, rows [10, 38) = 28; 576 + 28·(48 + 1) = 1948.
     */
    @Test
    void anyresAt1920x1080() {
        AnyResCropper a = (AnyResCropper) CropStrategies.get("llava-next-anyres");
        assertArrayEquals(new int[] {672, 672}, a.bestResolution(1920, 1080));
        assertArrayEquals(new int[] {672, 378}, AnyResCropper.resizedSize(1920, 1080, new int[] {672, 672}));
        assertEquals(new PixelBox(0, 10, 48, 38), AnyResCropper.unpad(1920, 1080, 48, 48));
        FrontEndBudget b = FrontEndBudget.of(a, 1920, 1080, CLIP);
        assertEquals(5, b.views());
        assertEquals(1948, b.visualTokens());
        assertEquals(1, b.channelMultiplier());
        assertEquals(5 * PASS, b.encoderFlops(), 80.0);
        ViewLayout l = a.layout(1920, 1080);
        assertEquals(ViewRole.BASE, l.slots().get(0).role());
        assertEquals(2, l.gridRows(ViewRole.TILE));
        assertEquals(2, l.gridCols(ViewRole.TILE));
        // tile (0, 0): canvas x [0, 336) → source [0, 960); canvas y [0, 336) − 147 → resized [0, 189) → source
        // [0, ⌈189·1080/378⌉) = [0, 540)
        assertEquals(new PixelBox(0, 0, 960, 540), l.slots().get(1).box());
    }

    /**
     * 336×2000: 336×1008 wins (scale min(1, 0.504) → 169×1008 = 170,352, the largest effective resolution), 1 column
     * by 3 rows; resized w' = min(⌈336·0.504⌉, 336) = 170. Tokens: map 72 rows × 24 columns; 0.168 < 1/3 so
     * s = 72/2000, w' = int(12.096) = 12, padding ⌊(24 − 12)/2⌋ = 6, columns [6, 18) = 12; 576 + 72·13 = 1512.
     */
    @Test
    void anyresAt336x2000() {
        AnyResCropper a = (AnyResCropper) CropStrategies.get("llava-next-anyres");
        assertArrayEquals(new int[] {336, 1008}, a.bestResolution(336, 2000));
        assertArrayEquals(new int[] {170, 1008}, AnyResCropper.resizedSize(336, 2000, new int[] {336, 1008}));
        assertEquals(new PixelBox(6, 0, 18, 72), AnyResCropper.unpad(336, 2000, 24, 72));
        assertEquals(1512, FrontEndBudget.of(a, 336, 2000, CLIP).visualTokens());
        // 10×1000 picks 336×1008 too; the 72×24 map: s = 72/1000, w' = int(0.72) = 0, padding 12, no column is
        // kept and only the 72 newline tokens follow the base: 576 + 72·(0 + 1) = 648
        assertEquals(new AnyResCropper.Unpadded(0, 12, 72, 0), AnyResCropper.unpadded(10, 1000, 24, 72));
        assertEquals(648, FrontEndBudget.of(a, 10, 1000, CLIP).visualTokens());
        assertThrows(IllegalArgumentException.class, () -> AnyResCropper.unpad(10, 1000, 24, 72));
        // 672×672 fills the 2×2 grid exactly: nothing is unpadded, 576 + 48·49 = 2928
        assertEquals(2928, FrontEndBudget.of(a, 672, 672, CLIP).visualTokens());
    }

    /** The tiles recombine into the padded canvas: the resized image on black at the paste offset. */
    @Test
    void anyresTilesRecombineIntoThePaddedCanvas() {
        BufferedImage img = randomImage(150, 40, 5);
        AnyResCropper a = AnyResCropper.builder().setSubImageSize(28).build();
        // pinpoints 28×56, 56×28, 56×56, 84×28, 28×84: 84×28 keeps 84×22 = 1848 px (scale 0.56), the most
        int[] best = a.bestResolution(150, 40);
        assertArrayEquals(new int[] {84, 28}, best);
        int[] rs = AnyResCropper.resizedSize(150, 40, best); // 84 × min(⌈40·0.56⌉, 28) = 84 × 23
        assertArrayEquals(new int[] {84, 23}, rs);
        CropViews v = a.views(img);
        BufferedImage canvas = GridMaps.recombineLocal(imagesOf(v, ViewRole.TILE), CropGrid.of(3, 1, 28, 28));
        int[] c = px(canvas);
        int[] resized = px(ClipPreprocessor.resize(img, 84, 23));
        int py = (28 - 23) / 2;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 84; x++) {
                int expected = y >= py && y < py + 23 ? resized[(y - py) * 84 + x] : 0;
                assertEquals(expected, c[y * 84 + x], "(" + x + ", " + y + ")");
            }
        }
        assertArrayEquals(px(ClipPreprocessor.resize(img, 28, 28)), px(v.images().get(0)), "base = squash");
    }

    // ------------------------------------------------------------------------------------------------- InternVL

    /**
     * 1920×1080 (aspect 1.778), 1..12 tiles: (2, 1) is 0.222 away, (4, 2) ties with it and 1920·1080 = 2,073,600 >
     * 0.5·336²·8 = 451,584, so the larger grid wins; (3, 2) at 1.5 is 0.278 away. 4×2 tiles + thumbnail = 9 views;
     * pixel shuffle: (24/2)² = 144 tokens of 4d each, 9·144 = 1296.
     */
    @Test
    void internvlAt1920x1080() {
        DynamicTileCropper d = (DynamicTileCropper) CropStrategies.get("internvl-dynamic");
        assertArrayEquals(new int[] {4, 2}, d.grid(1920, 1080));
        FrontEndBudget b = FrontEndBudget.of(d, 1920, 1080, CLIP);
        assertEquals(9, b.views());
        assertEquals(1296, b.visualTokens());
        assertEquals(4, b.channelMultiplier());
        assertEquals(ViewRole.THUMBNAIL, d.layout(1920, 1080).slots().get(8).role());
    }

    /**
     * Square images tie between (1, 1), (2, 2), (3, 3): the larger grid wins only when w·h > 0.5·336²·i·j. 400² =
     * 160,000 < 225,792: one tile and no thumbnail; 500² = 250,000 > 225,792 but < 508,032: 2×2 + thumbnail;
     * 1008² = 1,016,064 > 508,032: 3×3 + thumbnail. 336×2000 (0.168): (1, 6) at 0.1667 is closest (diff 0.0013).
     */
    @Test
    void internvlTieRuleAndExtremes() {
        DynamicTileCropper d = (DynamicTileCropper) CropStrategies.get("internvl-dynamic");
        assertArrayEquals(new int[] {1, 1}, d.grid(400, 400));
        assertEquals(1, d.layout(400, 400).count());
        assertArrayEquals(new int[] {2, 2}, d.grid(500, 500));
        assertEquals(5, d.layout(500, 500).count());
        assertArrayEquals(new int[] {3, 3}, d.grid(1008, 1008));
        assertArrayEquals(new int[] {1, 6}, d.grid(336, 2000));
        assertEquals(7 * 144, FrontEndBudget.of(d, 336, 2000, CLIP).visualTokens());
        // min 1: candidates ordered by product; the first are (1,1), then (1,2), (2,1)
        List<int[]> c = DynamicTileCropper.candidates(1, 12);
        assertArrayEquals(new int[] {1, 1}, c.get(0));
        assertEquals(1 + 2 + 2 + 3 + 2 + 4 + 2 + 4 + 3 + 4 + 2 + 6, c.size()); // divisor counts of 1..12
        // a 30-px grid cannot be pixel-shuffled
        assertThrows(IllegalArgumentException.class, () -> FrontEndBudget.of(d, 500, 500, CLIP.withResolution(336, 16)));
    }

    @Test
    void internvlTilesRecombineIntoTheResizedImage() {
        BufferedImage img = randomImage(90, 40, 6);
        DynamicTileCropper d = DynamicTileCropper.builder().setSubImageSize(20).optTiles(1, 6).build();
        int[] g = d.grid(90, 40); // 2.25: (2, 1) is 0.25 away, (3, 1) 0.75, (5, 2) 0.25 but 10 > 6 tiles: 2×1
        assertArrayEquals(new int[] {2, 1}, g);
        CropViews v = d.views(img);
        assertEquals(3, v.count());
        assertArrayEquals(px(ClipPreprocessor.resize(img, 40, 20)),
                px(GridMaps.recombineLocal(imagesOf(v, ViewRole.TILE), CropGrid.of(2, 1, 20, 20))));
        assertArrayEquals(px(ClipPreprocessor.resize(img, 20, 20)), px(v.images().get(2)));
    }

    // ------------------------------------------------------------------------------------------------------ S2

    /**
     * Scales 1, 2, 3: 1 + 4 + 9 = 14 passes; the merged maps are pooled to the first scale's 24×24 grid and
     * concatenated along channels: 576 tokens of 3d.
     */
    @Test
    void s2BudgetAndRoundTrip() {
        FrontEndBudget b = FrontEndBudget.of(CropStrategies.get("s2"), 1920, 1080, CLIP);
        assertEquals(14, b.views());
        assertEquals(576, b.visualTokens());
        assertEquals(3, b.channelMultiplier());
        assertEquals(14 * PASS, b.encoderFlops(), 14 * 16.0);
        MultiScaleCropper s = MultiScaleCropper.builder().setSubImageSize(16).optScales(2, 1).build();
        BufferedImage img = randomImage(50, 30, 7);
        CropViews v = s.views(img);
        assertEquals(5, v.count());
        assertEquals(ViewRole.scale(2), v.layout().slots().get(0).role());
        assertArrayEquals(px(ClipPreprocessor.resize(img, 32, 32)),
                px(GridMaps.recombineLocal(imagesOf(v, ViewRole.scale(2)), CropGrid.of(2, 2, 16, 16))));
        assertArrayEquals(px(ClipPreprocessor.resize(img, 16, 16)), px(v.images().get(4)));
        // the first scale sets the grid: (2·g)² tokens of 2d
        FrontEndBudget b2 = s.budget(v.layout(), new EncoderSpec("t", 16, 4, 8, 1, 16, false));
        assertEquals(64, b2.visualTokens());
        assertEquals(2, b2.channelMultiplier());
    }

    // -------------------------------------------------------------------------------------------------- Monkey

    /** 2×2 windows + the whole image: 5 passes, 5·576 = 2880 tokens concatenated. */
    @Test
    void monkeyBudgetAndRoundTrip() {
        FrontEndBudget b = FrontEndBudget.of(CropStrategies.get("monkey"), 1920, 1080, CLIP);
        assertEquals(5, b.views());
        assertEquals(2880, b.visualTokens());
        BufferedImage img = randomImage(70, 45, 8);
        CropViews v = MonkeyCropper.builder().setSubImageSize(20).build().views(img);
        assertArrayEquals(px(ClipPreprocessor.resize(img, 40, 40)),
                px(GridMaps.recombineLocal(imagesOf(v, ViewRole.TILE), CropGrid.of(2, 2, 20, 20))));
        assertEquals(ViewRole.THUMBNAIL, v.layout().slots().get(4).role());
        assertArrayEquals(px(ClipPreprocessor.resize(img, 20, 20)), px(v.images().get(4)));
    }

    // ------------------------------------------------------------------------------------------------- INF DCM

    /**
     * inf-dcm keeps today's budget (19 passes, 576 tokens). Local boxes of a 1920×1080 image under pad-to-square:
     * side 1920, paste y = 420; canvas 1008. Local (0, 0): x [0, 336) → [0, 640); y [0, 336) → padded [0, 640) →
     * source [0, 220). Local (0, 1): y the same, x [640, 1280). A 1000×100 image: side 1000, y offset 450; row 0
     * covers padded y [0, ⌈336·1000/1008⌉ = 334) → source −450..−116: wholly padding, no box.
     */
    @Test
    void dcmBudgetAndLocalBoxes() {
        DualPerspectiveCropper dcm = (DualPerspectiveCropper) CropStrategies.get("inf-dcm");
        FrontEndBudget b = FrontEndBudget.of(dcm, 1920, 1080, CLIP);
        TokenBudget old = TokenBudget.of(dcm.plan(1920, 1080), CLIP);
        assertEquals(old.encoderPasses(), b.encoderPasses());
        assertEquals(old.llmTokens(), b.visualTokens());
        assertEquals(old.encoderFlops(), b.encoderFlops(), 1.0);
        ViewLayout l = dcm.layout(1920, 1080);
        assertEquals(new PixelBox(0, 0, 640, 220), l.slots().get(0).box());
        assertEquals(new PixelBox(640, 0, 1280, 220), l.slots().get(1).box());
        assertEquals(null, dcm.layout(1000, 100).slots().get(0).box());
        // grid-fit (inf-dcm-auto): 700×450 → 2×1 grid on a 672×336 canvas; local (0, 1): x [336, 672) → [350, 700)
        ViewLayout auto = CropStrategies.get("inf-dcm-auto").layout(700, 450);
        assertEquals(new PixelBox(350, 0, 700, 450), auto.slots().get(1).box());
    }

    /**
     * The other resize policies. Centre crop: 700×450 on a 2×2 grid of 100 → the shortest side to 200, the longer
     * ⌊200·700/450⌋ = 311, offset ⌊(311 − 200)/2⌋ = 55; local (0, 0) x [0, 100) → resized [55, 155) → source
     * [⌊55·700/311⌋, ⌈155·700/311⌉) = [123, 349), y [0, ⌈100·450/200⌉) = [0, 225). Truncate: 700×450 with 200-px
     * sub-images keeps a 3×2 grid of the top-left 600×400; local (1, 2) is [400, 600) × [200, 400).
     */
    @Test
    void dcmLocalBoxesUnderCentreCropAndTruncate() {
        DualPerspectiveCropper cc = DualPerspectiveCropper.builder().setSubImageSize(100).optGrid(2, 2)
                .optResizePolicy(ResizePolicy.SQUARE_CENTER_CROP).build();
        assertEquals(new PixelBox(123, 0, 349, 225), cc.layout(700, 450).slots().get(0).box());
        DualPerspectiveCropper tr = DualPerspectiveCropper.builder().setSubImageSize(200).optMaxGrid(4)
                .optResizePolicy(ResizePolicy.TRUNCATE).build();
        ViewLayout l = tr.layout(700, 450);
        assertEquals(3, l.gridCols(ViewRole.LOCAL));
        assertEquals(new PixelBox(400, 200, 600, 400), l.slots().get(5).box());
    }
}
