package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.infllava.testing.Close;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DEM contract of {@code infllava dem} against the independent PyTorch implementation
 * (toolkit-dem/src/test/python/make_dem_goldens.py): rtol 1e-4, atol 1e-5.
 */
class DemCommandTest {

    private static final Path GOLDEN = Path.of("../toolkit-dem/src/test/resources/golden");

    @TempDir
    Path dir;

    private static void assertClose(HostTensor expected, HostTensor actual) {
        Close.assertClose(expected, actual, 1e-4, 1e-5, "output");
    }

    private CliRun dem(String name, String preset, String grid, String... extra) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("dem", "--preset", preset, "--grid", grid,
                "--local", GOLDEN.resolve(name + "_local.npy").toString(),
                "--global", GOLDEN.resolve(name + "_global.npy").toString(),
                "--low-res", GOLDEN.resolve(name + "_lowres.npy").toString(),
                "--out", dir.resolve("O.npy").toString()));
        a.addAll(java.util.List.of(extra));
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void referencePresetWithPublishedKeysMatchesPyTorch() {
        CliRun run = dem("reference", "reference", "3x3", "--channels", "64", "--heads", "8", "--weights",
                GOLDEN.resolve("reference_weights.safetensors").toString());
        assertEquals(0, run.code(), run.err());
        assertClose(NpyArrays.read(GOLDEN.resolve("reference_out.npy")), NpyArrays.read(dir.resolve("O.npy")));
    }

    @Test
    void paperPresetOnANonSquareGridMatchesPyTorch() {
        CliRun run = dem("paper", "paper", "3x2", "--weights", GOLDEN.resolve("paper_weights.safetensors").toString());
        assertEquals(0, run.code(), run.err());
        HostTensor o = NpyArrays.read(dir.resolve("O.npy"));
        assertArrayEquals(new long[] {4, 5, 32}, o.shape());
        assertClose(NpyArrays.read(GOLDEN.resolve("paper_out.npy")), o);
        CliRun conv = dem("paper_fusion_conv3x3", "paper", "3x2", "--fusion", "conv3x3", "--weights",
                GOLDEN.resolve("paper_fusion_conv3x3_weights.safetensors").toString());
        assertEquals(0, conv.code(), conv.err());
        assertClose(NpyArrays.read(GOLDEN.resolve("paper_fusion_conv3x3_out.npy")), NpyArrays.read(dir.resolve("O.npy")));
    }

    @Test
    void seedDecidesTheWeightsWhenNoneAreGiven() {
        assertEquals(0, dem("paper", "paper", "3x2", "--seed", "7").code());
        float[] a = NpyArrays.read(dir.resolve("O.npy")).data();
        assertEquals(0, dem("paper", "paper", "3x2", "--seed", "7").code());
        float[] b = NpyArrays.read(dir.resolve("O.npy")).data();
        assertEquals(0, dem("paper", "paper", "3x2", "--seed", "8").code());
        float[] c = NpyArrays.read(dir.resolve("O.npy")).data();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void badInputsNameTheFileAndTheShapes() {
        CliRun wrongGrid = dem("paper", "paper", "3x3");
        assertEquals(Main.EXIT_BAD_INPUT, wrongGrid.code());
        assertTrue(wrongGrid.err().contains("paper_local.npy: expected (9, h, w, D) sub-features for a 3x3 grid, "
                + "found (6, 4, 5, 32)"), wrongGrid.err());
        CliRun wrongWeights = dem("paper", "reference", "3x2", "--weights",
                GOLDEN.resolve("paper_weights.safetensors").toString());
        assertEquals(Main.EXIT_BAD_INPUT, wrongWeights.code());
        assertTrue(wrongWeights.err().contains("paper_weights.safetensors"), wrongWeights.err());
        CliRun badPreset = dem("paper", "nope", "3x2");
        assertEquals(Main.EXIT_BAD_INPUT, badPreset.code());
        assertTrue(badPreset.err().contains("--preset"), badPreset.err());
        assertFalse(Files.exists(dir.resolve("O.npy")), "nothing written on error");
    }
}
