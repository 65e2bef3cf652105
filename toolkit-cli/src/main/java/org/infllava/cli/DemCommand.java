package org.infllava.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DemVariant;
import org.infllava.dem.DemWeights;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.dem.Fusion;
import org.infllava.dem.Pooling;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.NpyArrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava dem}: the Dual-perspective Enhancement Module on sub-features from {@code .npy} files. */
@Command(name = "dem", mixinStandardHelpOptions = true,
        description = {"Run the Dual-perspective Enhancement Module (paper §4.3) on encoder sub-features.",
            "L and G are (N, h, w, D) float32 .npy files, N = C*R: L[k] local sub-image k = C*row + col, G[k] global "
                    + "sub-image k = C*I + J (the order of 'infllava crop'). R is (h, w, D). O is (h, w, D)."})
final class DemCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Option(names = "--preset", required = true, paramLabel = "paper|reference",
            description = "paper: the equations as written; reference: the published SpatialEmbed.")
    String preset;

    @Option(names = "--grid", defaultValue = "3x3", paramLabel = "CxR", description = "Grid (default: ${DEFAULT-VALUE}).")
    String grid;

    @Option(names = "--channels", paramLabel = "D", description = "Feature width; default: the last axis of L.")
    Integer channels;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (default: 1 for paper, 8 for reference).")
    Integer heads;

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "DEM weights (keys spatial_embed.* or model.spatial_embed.*); default: initialised from --seed.")
    Path weights;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--local", required = true, paramLabel = "L.npy", description = "Local sub-features (N, h, w, D).")
    Path local;

    @Option(names = "--global", required = true, paramLabel = "G.npy", description = "Global sub-features (N, h, w, D).")
    Path global;

    @Option(names = "--low-res", paramLabel = "R.npy", description = "Low-resolution features (h, w, D), combined as the preset says.")
    Path lowRes;

    @Option(names = "--out", required = true, paramLabel = "O.npy", description = "Output (h, w, D), written atomically.")
    Path out;

    @Option(names = "--fusion", paramLabel = "NAME", description = "Override the preset's fusion (e.g. conv3x3).")
    String fusion;

    @Option(names = "--variant", paramLabel = "NAME", description = "Override the preset's variant (e.g. global-only).")
    String variant;

    @Option(names = "--pooling", paramLabel = "NAME", description = "Override the preset's pooling (average, bilinear-reference, none).")
    String pooling;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int[] cr = parseGrid(grid);
        HostTensor l = NpyArrays.read(local);
        HostTensor g = NpyArrays.read(global);
        int n = cr[0] * cr[1];
        if (l.shape().length != 4 || l.shape()[0] != n) {
            throw new InvalidInputException(local, "expected (" + n + ", h, w, D) sub-features for a " + grid
                    + " grid, found " + l.shapeText());
        }
        if (!Arrays.equals(l.shape(), g.shape())) {
            throw new InvalidInputException(global, "expected the shape of " + local.getFileName() + " "
                    + l.shapeText() + ", found " + g.shapeText());
        }
        int d = (int) l.shape()[3];
        if (channels != null && channels != d) {
            throw new InvalidInputException(local, "--channels " + channels + " but the features have D = " + d);
        }
        HostTensor r = lowRes == null ? null : NpyArrays.read(lowRes);
        long[] pooled = {l.shape()[1], l.shape()[2], d};
        if (r != null && !Arrays.equals(r.shape(), pooled)) {
            throw new InvalidInputException(lowRes, "expected low-resolution features " + HostTensor.shapeText(pooled)
                    + ", found " + r.shapeText());
        }
        DualPerspectiveEnhancement dem = build(d, cr[0], cr[1]);
        try (NDManager m = deviceOption.newManager()) {
            dem.initialize(m, seed);
            if (weights != null) {
                DemWeights.load(dem, weights);
            }
            NDArray ls = m.create(l.data(), new Shape(l.shape())); // (N, h, w, D): one image
            NDArray gs = m.create(g.data(), new Shape(g.shape())); // (N, h, w, D)
            NDArray rs = r == null ? null : m.create(r.data(), new Shape(r.shape())).expandDims(0); // (1, h, w, D)
            NDArray o = dem.forwardSubFeatures(new ParameterStore(m, false), ls, gs, rs, false).squeeze(0);
            Outputs.writeNpy(out, new HostTensor(o.getShape().getShape(), o.toFloatArray()));
            spec.commandLine().getOut().printf("%s DEM (%,d parameters, %s) on %d+%d sub-features %s -> %s %s%n",
                    preset, dem.parameterCount(), weights == null ? "seed " + seed : weights, n, n,
                    l.shapeText(), out, o.getShape());
        }
        return 0;
    }

    private DualPerspectiveEnhancement build(int d, int c, int r) {
        DualPerspectiveEnhancement.Builder b;
        try {
            b = switch (preset.toLowerCase(java.util.Locale.ROOT)) {
                case "paper" -> DemPresets.paperBuilder(d, c, r).optHeads(heads == null ? 1 : heads);
                case "reference" -> DemPresets.referenceBuilder(d, c, r, heads == null ? 8 : heads);
                default -> throw new InvalidInputException("--preset must be paper or reference, got '" + preset + "'");
            };
            if (fusion != null) {
                b.optFusion(Fusion.get(fusion));
            }
            if (variant != null) {
                b.optVariant(DemVariant.get(variant));
            }
            if (pooling != null) {
                b.optPooling(Pooling.get(pooling));
            }
            return b.build();
        } catch (InvalidInputException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("DEM settings: " + e.getMessage());
        }
    }

    private static int[] parseGrid(String grid) {
        String[] p = grid.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            int c = Integer.parseInt(p[0].trim());
            int r = Integer.parseInt(p[1].trim());
            if (p.length == 2 && c >= 1 && r >= 1) {
                return new int[] {c, r};
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // fall through to the message
        }
        throw new InvalidInputException("--grid must be CxR with C, R >= 1 (e.g. 3x3), got '" + grid + "'");
    }
}
