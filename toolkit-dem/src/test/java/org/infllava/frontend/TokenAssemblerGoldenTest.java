package org.infllava.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.infllava.crop.PixelBox;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;
import org.infllava.crop.ViewSlot;
import org.infllava.io.NpyArrays;
import org.infllava.testing.Close;
import org.infllava.testing.Fixtures;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The assemblers' tensor operations against make_frontend_goldens.py, which restates the published code (LLaVA-NeXT
 * {@code unpad_image} + {@code spatial_unpad}, InternVL {@code pixel_shuffle}, S2 {@code merge_chessboard} + area
 * interpolation) in PyTorch on the same random features. Tolerance: rtol 1e-6, atol 1e-6 (pure data movement is exact;
 * S2's means may round differently).
 */
class TokenAssemblerGoldenTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    private static final Path GOLDEN = Path.of("src/test/resources/frontend");

    private static NDArray npy(NDManager m, String name) {
        return Fixtures.npy(m, GOLDEN.resolve(name + ".npy"));
    }

    /** A hand-made anyres layout: the base view, then {@code rows × cols} tiles row-major. */
    static ViewLayout anyres(int width, int height, int rows, int cols, int size) {
        List<ViewSlot> slots = new ArrayList<>();
        slots.add(new ViewSlot(ViewRole.BASE, 0, 0, PixelBox.whole(width, height)));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                slots.add(new ViewSlot(ViewRole.TILE, r, c, null));
            }
        }
        return new ViewLayout("llava-next-anyres", width, height, size, size, slots);
    }

    /** Scales 1..3, each {@code s × s} tiles row-major. */
    static ViewLayout s2(int size) {
        List<ViewSlot> slots = new ArrayList<>();
        for (int s = 1; s <= 3; s++) {
            for (int r = 0; r < s; r++) {
                for (int c = 0; c < s; c++) {
                    slots.add(new ViewSlot(ViewRole.scale(s), r, c, null));
                }
            }
        }
        return new ViewLayout("s2", 100, 100, size, size, slots);
    }

    static ViewLayout tiles(int count, int size) {
        List<ViewSlot> slots = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slots.add(new ViewSlot(ViewRole.TILE, 0, i, null));
        }
        return new ViewLayout("internvl-dynamic", 100, 100, size, size, slots);
    }

    private static void anyresCase(String name, int width, int height, int rows, int cols, int tokens) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            AnyResUnpadAssembler a = new AnyResUnpadAssembler(8);
            a.initialize(m, 1);
            a.load(Map.of("model.image_newline", NpyArrays.read(GOLDEN.resolve(name + "_newline.npy"))), GOLDEN);
            ViewLayout layout = anyres(width, height, rows, cols, 56);
            NDArray assembled = a.assemble(ps, npy(m, name + "_features"), layout, false);
            assertEquals(a.featureCount(layout, 4), assembled.getShape().get(1));
            NDArray out = a.toLlm(ps, assembled, layout, 4, x -> x, false);
            NDArray expected = npy(m, name + "_tokens");
            assertArrayEquals(expected.getShape().getShape(), out.getShape().getShape());
            assertEquals(tokens, out.getShape().get(1));
            assertEquals(a.tokenCount(layout, 4), tokens);
            Close.assertClose(expected.toFloatArray(), out.toFloatArray(), 0, 0, name);
        }
    }

    /** 100×37 on 1×2 tiles: map 4×8, 100/37 > 8/4 → new_h = int(37·8/100) = 2, pad 1 → 2 rows; 16 + 2·(8+1) = 34. */
    @Test
    void anyresUnpadsAWideImagesRowsAndAddsNewlines() {
        anyresCase("anyres_wide", 100, 37, 1, 2, 34);
    }

    /** 30×130 on 3×1 tiles: map 12×4, new_w = int(30·12/130) = 2, pad 1 → 2 columns; 16 + 12·(2+1) = 52. */
    @Test
    void anyresUnpadsATallImagesColumnsAndAddsNewlines() {
        anyresCase("anyres_tall", 30, 130, 3, 1, 52);
    }

    /** unpad_image's integer arithmetic on hand-worked cases. */
    @Test
    void unpadFollowsLlavaNextsArithmetic() {
        // 24×48 map (2×1 tiles... any), image 1000×333: 1000/333 = 3.003 > 48/24 → new_h = int(333·0.048) = 15,
        // pad = (24 − 15) // 2 = 4 → rows [4, 20).
        assertEquals(new AnyResUnpadAssembler.Unpadded(4, 20, 0, 48), AnyResUnpadAssembler.unpad(24, 48, 1000, 333));
        // square image on a square map: nothing cut (else branch, new_w = 24, pad 0).
        assertEquals(new AnyResUnpadAssembler.Unpadded(0, 24, 0, 24), AnyResUnpadAssembler.unpad(24, 24, 500, 500));
        // 336×2000 on a 24×... tall map 72×24 (3×1 tiles): 0.168 < 0.333 → new_w = int(336·72/2000) = 12,
        // pad = 6 → columns [6, 18).
        assertEquals(new AnyResUnpadAssembler.Unpadded(0, 72, 6, 18), AnyResUnpadAssembler.unpad(72, 24, 336, 2000));
    }

    /**
     * The crop side restates unpad_image independently ({@code AnyResCropper.unpadded}); both agree on every map of
     * 1..3 × 1..3 tiles of a 4- or 24-patch grid for sources from 1 to 2000 px (aspect ratios from 1:2000 to 2000:1).
     */
    @Test
    void unpadAgreesWithTheCropSidesRestatement() {
        int[] sides = {1, 10, 37, 100, 333, 336, 500, 672, 1000, 1920, 2000};
        for (int g : new int[] {4, 24}) {
            for (int rows = 1; rows <= 3; rows++) {
                for (int cols = 1; cols <= 3; cols++) {
                    for (int w : sides) {
                        for (int h : sides) {
                            AnyResUnpadAssembler.Unpadded mine = AnyResUnpadAssembler.unpad(rows * g, cols * g, w, h);
                            org.infllava.crop.AnyResCropper.Unpadded theirs = org.infllava.crop.AnyResCropper
                                    .unpadded(w, h, cols * g, rows * g);
                            String what = w + "x" + h + " on " + rows + "x" + cols + " tiles of " + g;
                            assertEquals(List.of(theirs.top(), theirs.left(), theirs.rows(), theirs.cols()),
                                    List.of(mine.top(), mine.left(), Math.max(0, mine.height()),
                                            Math.max(0, mine.width())), what);
                        }
                    }
                }
            }
        }
    }

    /** A 10×1000 source on 3×1 tiles of 24 keeps no column: the base, then one newline per row (576 + 72 = 648). */
    @Test
    void anyresKeepsOnlyNewlinesWhenNoColumnSurvives() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            AnyResUnpadAssembler a = new AnyResUnpadAssembler(8);
            a.initialize(m, 1);
            ViewLayout layout = anyres(10, 1000, 3, 1, 336);
            NDArray f = m.randomNormal(new ai.djl.ndarray.types.Shape(4, 576, 8));
            NDArray assembled = a.assemble(ps, f, layout, false);
            assertEquals(576, assembled.getShape().get(1));
            NDArray out = a.toLlm(ps, assembled, layout, 24, x -> x, false);
            assertEquals(648, out.getShape().get(1));
            assertEquals(648, a.tokenCount(layout, 24));
            Close.assertClose(a.namedParameters().get("image_newline").getArray().toFloatArray(),
                    out.get("0, 647, :").toFloatArray(), 0, 0, "last token is the newline");
        }
    }

    @Test
    void pixelShuffleOrdersChannelsAsInternVl() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            PixelShuffleAssembler a = new PixelShuffleAssembler();
            ViewLayout layout = tiles(3, 56);
            NDArray out = a.assemble(ps, npy(m, "pixel_shuffle_features"), layout, false);
            NDArray expected = npy(m, "pixel_shuffle_tokens");
            assertArrayEquals(expected.getShape().getShape(), out.getShape().getShape());
            assertEquals(a.featureCount(layout, 4), out.getShape().get(1));
            Close.assertClose(expected.toFloatArray(), out.toFloatArray(), 0, 0, "pixel shuffle");
            // By hand: token (0, 0) of view 0 holds patches (0,0), (0,1), (1,0), (1,1) = rows 0, 1, 4, 5 of the
            // 16 patches, in that channel order.
            float[] f = npy(m, "pixel_shuffle_features").toFloatArray();
            float[] o = out.toFloatArray();
            int[] rows = {0, 1, 4, 5};
            for (int k = 0; k < 4; k++) {
                for (int c = 0; c < 8; c++) {
                    assertEquals(f[rows[k] * 8 + c], o[k * 8 + c], 0f, "channel " + (k * 8 + c));
                }
            }
        }
    }

    @Test
    void s2PoolsEachScaleBackToTheBaseGridAndConcatenates() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            S2Assembler a = new S2Assembler();
            ViewLayout layout = s2(56);
            NDArray out = a.assemble(ps, npy(m, "s2_features"), layout, false);
            NDArray expected = npy(m, "s2_tokens");
            assertArrayEquals(expected.getShape().getShape(), out.getShape().getShape());
            assertEquals(24, a.outputChannels(8));
            Close.assertClose(expected.toFloatArray(), out.toFloatArray(), 1e-6, 1e-6, "s2");
        }
    }

    @Test
    void assemblersRejectLayoutsTheyCannotRead() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray f = m.zeros(new ai.djl.ndarray.types.Shape(3, 16, 8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new S2Assembler().assemble(ps, f, tiles(3, 56), false));
            assertEquals(true, e.getMessage().contains("scale views only"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> new IdentityAssembler().assemble(ps, f, tiles(3, 56), false));
            assertEquals(true, e.getMessage().contains("takes one view"), e.getMessage());
            NDArray odd = m.zeros(new ai.djl.ndarray.types.Shape(3, 9, 8));
            e = assertThrows(IllegalArgumentException.class,
                    () -> new PixelShuffleAssembler().assemble(ps, odd, tiles(3, 42), false));
            assertEquals(true, e.getMessage().contains("even patch grid"), e.getMessage());
        }
    }
}
