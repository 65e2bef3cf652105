package org.infllava.dem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every preset, fusion, variant and pairing against an independent PyTorch implementation
 * (src/test/python/make_dem_goldens.py): the published SpatialEmbed and the paper's eq. (18)-(27) written from
 * scratch with slicing. Tolerance: rtol 1e-4, atol 1e-5.
 */
class DemGoldenTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    private static DualPerspectiveEnhancement.Builder paper() {
        return DemPresets.paperBuilder(32, 3, 2);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("reference", (Supplier<DualPerspectiveEnhancement>) () -> DemPresets.reference(64, 3, 3, 8)),
                Arguments.of("paper", (Supplier<DualPerspectiveEnhancement>) () -> paper().build()),
                Arguments.of("paper_fusion_conv3x3", fusion(StandardFusion.CONV3X3)),
                Arguments.of("paper_fusion_multiply", fusion(StandardFusion.MULTIPLY)),
                Arguments.of("paper_fusion_weighted_add", fusion(StandardFusion.WEIGHTED_ADD)),
                Arguments.of("paper_fusion_maxpool", fusion(StandardFusion.MAXPOOL)),
                Arguments.of("paper_fusion_add", fusion(StandardFusion.ADD)),
                Arguments.of("paper_fusion_reference_bottleneck", fusion(StandardFusion.REFERENCE_BOTTLENECK)),
                Arguments.of("paper_variant_global_only", variant(StandardVariant.GLOBAL_ONLY)),
                Arguments.of("paper_variant_local_only", variant(StandardVariant.LOCAL_ONLY)),
                Arguments.of("paper_variant_local_crop_only", variant(StandardVariant.LOCAL_CROP_ONLY)),
                Arguments.of("paper_variant_global_crop_only", variant(StandardVariant.GLOBAL_CROP_ONLY)),
                Arguments.of("paper_variant_add_no_dem", variant(StandardVariant.ADD_NO_DEM)),
                Arguments.of("paper_pairing_section1",
                        (Supplier<DualPerspectiveEnhancement>) () -> paper().optPairing(ReCropPairing.SECTION_1).build()));
    }

    private static Supplier<DualPerspectiveEnhancement> fusion(Fusion f) {
        return () -> paper().optFusion(f).build();
    }

    private static Supplier<DualPerspectiveEnhancement> variant(DemVariant v) {
        return () -> paper().optVariant(v).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name, Supplier<DualPerspectiveEnhancement> factory) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            DualPerspectiveEnhancement dem = factory.get();
            dem.initialize(m, 0);
            DemWeights.load(dem, DemTesting.GOLDEN.resolve(name + "_weights.safetensors"));
            NDArray local = DemTesting.npy(m, name + "_local"); // (N, h, w, d): batch of one
            NDArray global = DemTesting.npy(m, name + "_global");
            NDArray low = DemTesting.npy(m, name + "_lowres").expandDims(0); // (1, h, w, d)
            NDArray out = dem.forwardSubFeatures(new ParameterStore(m, false), local, global, low, false);
            NDArray expected = DemTesting.npy(m, name + "_out");
            assertEquals(expected.getShape(), out.getShape().slice(1), name);
            DemTesting.assertClose(expected.toFloatArray(), out.toFloatArray(), 1e-4, 1e-5, name);
        }
    }
}
