package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DemModuleTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    @TempDir
    Path dir;

    /**
     * The published SpatialEmbed at d = 1024: attention 4·(1024² + 1024) = 4,198,400; its LayerNorm 2,048; each ffn
     * (1024·64 + 64) + (64·512 + 512) = 98,880, two of them 197,760; ln_fuse 2,048. Total 4,400,256 — the same number
     * PyTorch counts for the independent implementation (golden/counts.json).
     */
    @Test
    void referencePresetHasThePublishedParameterCount() throws Exception {
        assertEquals(4_400_256L, DemPresets.reference().parameterCount());
        String counts = java.nio.file.Files.readString(DemTesting.GOLDEN.resolve("counts.json"));
        assertTrue(counts.contains("\"reference_1024\": 4400256"), counts);
        // PAPER at d = 1024: 2 directions × 3 × 1024² = 6,291,456, plus 2 × 1024·512 = 1,048,576 for eq. (26).
        assertEquals(7_340_032L, DemPresets.paper(1024, 3, 3).parameterCount());
    }

    @Test
    void referenceKeysAreThePublishedOnes() {
        assertEquals(List.of("attention.linears.0.weight", "attention.linears.0.bias", "attention.linears.1.weight",
                "attention.linears.1.bias", "attention.linears.2.weight", "attention.linears.2.bias",
                "attention.linears.3.weight", "attention.linears.3.bias", "attention.ln.weight", "attention.ln.bias",
                "ffn_crop.0.weight", "ffn_crop.0.bias", "ffn_crop.2.weight", "ffn_crop.2.bias", "ffn_stride.0.weight",
                "ffn_stride.0.bias", "ffn_stride.2.weight", "ffn_stride.2.bias", "ln_fuse.weight", "ln_fuse.bias"),
                new ArrayList<>(DemPresets.reference(64, 3, 3, 8).namedParameters().keySet()));
    }

    /** Gradient of the sum of the output with respect to each sub-image's features: one abs-sum per sub-image. */
    private static float[][] inputGradients(DualPerspectiveEnhancement dem, NDManager m, List<Parameter> unused) {
        int n = dem.config().columns() * dem.config().rows();
        int d = dem.config().channels();
        NDArray local = m.randomNormal(new Shape(n, 3, 3, d));
        NDArray global = m.randomNormal(new Shape(n, 3, 3, d));
        NDArray low = m.randomNormal(new Shape(1, 3, 3, d));
        local.setRequiresGradient(true);
        global.setRequiresGradient(true);
        for (Parameter p : dem.namedParameters().values()) {
            p.getArray().setRequiresGradient(true);
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = dem.forwardSubFeatures(new ParameterStore(m, false), local, global, low, true);
            gc.backward(out.mul(m.randomNormal(out.getShape())).sum());
        }
        for (Map.Entry<String, Parameter> e : dem.namedParameters().entrySet()) {
            if (e.getValue().getArray().getGradient().abs().sum().getFloat() == 0f) {
                unused.add(e.getValue());
            }
        }
        float[][] g = new float[2][n];
        for (int k = 0; k < n; k++) {
            g[0][k] = local.getGradient().get(k).abs().sum().getFloat();
            g[1][k] = global.getGradient().get(k).abs().sum().getFloat();
        }
        return g;
    }

    @Test
    void paperGivesGradientToEveryParameterAndAll18SubImages() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            DualPerspectiveEnhancement dem = DemPresets.paper(32, 3, 3);
            dem.initialize(m, 5);
            List<Parameter> unused = new ArrayList<>();
            float[][] g = inputGradients(dem, m, unused);
            assertEquals(List.of(), unused, "parameters without gradient");
            for (int k = 0; k < 9; k++) {
                assertTrue(g[0][k] > 0, "local sub-image " + k + " gets gradient");
                assertTrue(g[1][k] > 0, "global sub-image " + k + " gets gradient");
            }
        }
    }

    /**
     * The published code's dead inputs: bilinear "pooling" at factor 3 reads only positions (3i+1, 3j+1) of the fused
     * map. There, direction A (global as query, contiguous blocks) reads the global map's token of phase (1, 1) —
     * global sub-image #4 — and the local block around it; direction B (local as query, strided) reads the local token
     * and the global strided sample of phase (1, 1), #4 again. Every token-wise step (residual, LayerNorm, ffn) keeps
     * position. So global sub-images 0-3 and 5-8 receive exactly zero gradient; all nine local ones receive some.
     */
    @Test
    void referenceGivesGradientOnlyToLocalsAndTheCentreGlobal() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            DualPerspectiveEnhancement dem = DemPresets.reference(32, 3, 3, 4);
            dem.initialize(m, 5);
            float[][] g = inputGradients(dem, m, new ArrayList<>());
            for (int k = 0; k < 9; k++) {
                assertTrue(g[0][k] > 0, "local sub-image " + k + " gets gradient");
                if (k == 4) {
                    assertTrue(g[1][k] > 0, "global sub-image 4 gets gradient");
                } else {
                    assertEquals(0f, g[1][k], "global sub-image " + k + " is dead under REFERENCE");
                }
            }
        }
    }

    @Test
    void saveLoadRoundTripIsExact() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            DualPerspectiveEnhancement a = DemPresets.reference(32, 2, 2, 4);
            a.initialize(m, 1);
            Path file = dir.resolve("dem.safetensors");
            DemWeights.save(a, file);
            DualPerspectiveEnhancement b = DemPresets.reference(32, 2, 2, 4);
            b.initialize(m, 2);
            NDArray local = m.randomNormal(new Shape(1, 6, 6, 32));
            NDArray global = m.randomNormal(new Shape(1, 6, 6, 32));
            ParameterStore ps = new ParameterStore(m, false);
            float[] before = b.forward(ps, local, global, null, false).toFloatArray();
            DemWeights.load(b, file);
            assertArrayEquals(a.forward(ps, local, global, null, false).toFloatArray(),
                    b.forward(ps, local, global, null, false).toFloatArray());
            assertTrue(!java.util.Arrays.equals(before, b.forward(ps, local, global, null, false).toFloatArray()));
            Map<String, HostTensor> exported = DemWeights.export(a);
            assertEquals(exported, DemWeights.export(b));
            assertTrue(exported.containsKey("spatial_embed.attention.linears.3.weight"));
        }
    }

    @Test
    void loadNamesMissingMisShapedAndForeignKeys() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            DualPerspectiveEnhancement dem = DemPresets.reference(32, 2, 2, 4);
            dem.initialize(m, 1);
            Map<String, HostTensor> w = new java.util.LinkedHashMap<>(DemWeights.export(dem));
            Path file = dir.resolve("w.safetensors");

            w.remove("spatial_embed.ln_fuse.bias");
            SafeTensors.write(file, w, Map.of());
            InvalidInputException missing = assertThrows(InvalidInputException.class, () -> DemWeights.load(dem, file));
            assertTrue(missing.getMessage().contains("w.safetensors: missing key 'spatial_embed.ln_fuse.bias' "
                    + "(expected shape (32,))"), missing.getMessage());

            w.put("spatial_embed.ln_fuse.bias", new HostTensor(new long[] {16}, new float[16]));
            SafeTensors.write(file, w, Map.of());
            InvalidInputException shape = assertThrows(InvalidInputException.class, () -> DemWeights.load(dem, file));
            assertTrue(shape.getMessage().contains("key 'spatial_embed.ln_fuse.bias': expected shape (32,), found (16,)"),
                    shape.getMessage());

            DualPerspectiveEnhancement paper = DemPresets.paper(32, 2, 2);
            paper.initialize(m, 1);
            InvalidInputException foreign = assertThrows(InvalidInputException.class,
                    () -> DemWeights.load(paper, DemWeights.export(dem), null));
            assertTrue(foreign.getMessage().contains("is not a parameter of this DEM"), foreign.getMessage());
        }
    }

    static List<Fusion> fusions() {
        return Fusion.names().stream().map(Fusion::get).toList();
    }

    /** The contract of every registered fusion: shape kept, finite, gradient reaches both inputs and its weights. */
    @ParameterizedTest
    @MethodSource("fusions")
    void everyFusionKeepsShapeAndPassesGradient(Fusion fusion) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            FusionBlock block = fusion.create(32);
            block.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 4, 6, 32), new Shape(2, 4, 6, 32));
            NDArray a = m.randomNormal(new Shape(2, 4, 6, 32));
            NDArray b = m.randomNormal(new Shape(2, 4, 6, 32));
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            block.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.fuse(new ParameterStore(m, false), a, b, true);
                assertEquals(new Shape(2, 4, 6, 32), y.getShape(), fusion.name());
                assertTrue(y.isInfinite().logicalOr(y.isNaN()).none().getBoolean(), fusion.name() + " finite");
                gc.backward(y.mul(m.randomNormal(y.getShape())).sum());
            }
            assertTrue(a.getGradient().abs().sum().getFloat() > 0, fusion.name() + " passes gradient to V^glo");
            assertTrue(b.getGradient().abs().sum().getFloat() > 0, fusion.name() + " passes gradient to V^loc");
            for (Map.Entry<String, Parameter> p : block.namedParameters().entrySet()) {
                assertTrue(p.getValue().getArray().getGradient().abs().sum().getFloat() > 0, p.getKey());
            }
        }
    }

    static List<DemVariant> variants() {
        return DemVariant.names().stream().map(DemVariant::get).toList();
    }

    /** Every registered variant under both presets' attention settings: pooled shape, finite, trainable when it has weights. */
    @ParameterizedTest
    @MethodSource("variants")
    void everyVariantPoolsToOneSubImage(DemVariant variant) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            for (DualPerspectiveEnhancement dem : new DualPerspectiveEnhancement[] {
                DemPresets.paperBuilder(32, 3, 2).optVariant(variant).build(),
                DemPresets.referenceBuilder(32, 3, 2, 4).optVariant(variant).build()}) {
                dem.initialize(m, 3);
                boolean hasWeights = variant.usesGlobalEnhancement() || variant.usesLocalEnhancement();
                assertEquals(hasWeights, dem.parameterCount() > 0, variant.name());
                NDArray out = dem.forward(new ParameterStore(m, false), m.randomNormal(new Shape(2, 8, 15, 32)),
                        m.randomNormal(new Shape(2, 8, 15, 32)), m.randomNormal(new Shape(2, 4, 5, 32)), false);
                assertEquals(new Shape(2, 4, 5, 32), out.getShape(), variant.name());
                assertTrue(out.isNaN().none().getBoolean(), variant.name());
            }
        }
    }

    @Test
    void builderRejectsImpossibleSettingsNamingTheValues() {
        assertMessage("channels=30 heads=8", () -> DualPerspectiveEnhancement.builder().setChannels(30).setGrid(3, 3)
                .optHeads(8).build());
        assertMessage("d must be even, got 33", () -> DemPresets.paper(33, 3, 3));
        assertMessage("divisible by 16, got 40", () -> DemPresets.reference(40, 3, 3, 8));
        assertMessage("grid must be at least 1x1, got 0x3", () -> DualPerspectiveEnhancement.builder().setChannels(32)
                .setGrid(0, 3).build());
        assertMessage("unknown fusion 'concat'", () -> Fusion.get("concat"));
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "'" + ex.getMessage() + "' lacks '" + fragment + "'");
    }

    /** Registry names accept the spelling and the command line's. */
    @Test
    void registriesFindEntriesByEitherSpelling() {
        assertEquals(StandardFusion.LINEAR_CONCAT, Fusion.get("linear-concat"));
        assertEquals(StandardPooling.BILINEAR_REFERENCE, Pooling.get("BILINEAR_REFERENCE"));
        assertEquals(StandardVariant.ADD_NO_DEM, DemVariant.get("add-no-dem"));
        assertEquals(7, Fusion.names().size());
    }
}
