package org.infllava.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.CropGrid;
import org.infllava.crop.DualCrops;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.EncoderSpec;
import org.infllava.crop.GridMaps;
import org.infllava.crop.GridMaps.Layout;
import org.infllava.crop.Perspective;
import org.infllava.crop.ResizePolicy;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import org.infllava.viz.CropPictures;
import org.infllava.viz.SyntheticScene;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infllava showcase}: the DCM showcase (before the reproduction lab became the demo). Renders a synthetic
 * high-resolution scene, crops it from both perspectives (DCM), writes the sub-images and a manifest, recombines
 * them (eq. 5-6) from memory, from the written PNGs and as DJL tensors, checks every round trip is exact, and prints
 * the token/FLOP budget.
 */
@Command(name = "showcase", mixinStandardHelpOptions = true,
        description = "End-to-end showcase: synthetic high-resolution scene -> dual-perspective crops -> exact "
                + "recombination (images, files, tensors) -> token/FLOP budget. Writes runs/showcase-<timestamp>/.")
final class ShowcaseCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs",
            description = "Parent of the run directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--size", paramLabel = "PX", defaultValue = "1008",
            description = "Side of the synthetic source image (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--sub-size", paramLabel = "S", defaultValue = "336",
            description = "Encoder resolution = sub-image side (default: ${DEFAULT-VALUE}).")
    int subSize;

    @Option(names = "--grid", paramLabel = "N", defaultValue = "3", description = "N x N grid (default: ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--seed", defaultValue = "42", description = "Scene seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (size < 8 || subSize < 4 || grid < 1) {
            throw new InvalidInputException("--size must be >= 8, --sub-size >= 4 and --grid >= 1, got size=" + size
                    + " sub-size=" + subSize + " grid=" + grid);
        }
        PrintWriter o = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Path run = Outputs.newRunDirectory(out, "showcase");
        o.printf("INF-LLaVA DCM showcase -> %s%n", run);

        // 1. A synthetic high-resolution scene with fine detail.
        int glyph = Math.max(6, size / 100);
        SyntheticScene scene = SyntheticScene.render(size, size, glyph, seed);
        ImageFiles.writePng(scene.image(), run.resolve("scene.png"));
        o.printf("[1/6] scene %dx%d, seed %d: %d glyphs of %d px, 1-px lines, 1-px checkerboard -> scene.png%n",
                size, size, seed, scene.glyphs().size(), glyph, Math.max(4, size / 8));

        // 2. Dual-perspective crops, written atomically with their manifest.
        DualPerspectiveCropper dcm = DualPerspectiveCropper.builder().setSubImageSize(subSize).optGrid(grid, grid)
                .optResizePolicy(ResizePolicy.GRID_FIT).optLowResView(true).build();
        DualCrops crops = dcm.crop(scene.image());
        CropGrid g = crops.plan().grid();
        CropWriter.write(crops, run.resolve("scene.png"), run.resolve("crops"), false);
        ImageFiles.writePng(CropPictures.overlay(crops, g.count() / 2), run.resolve("overlay.png"));
        ImageFiles.writePng(CropPictures.mosaic(crops, Perspective.LOCAL, 4), run.resolve("local-mosaic.png"));
        ImageFiles.writePng(CropPictures.mosaic(crops, Perspective.GLOBAL, 4), run.resolve("global-mosaic.png"));
        o.printf("[2/6] DCM %s: %d local + %d global sub-images of %dx%d + low-res view -> crops/ (manifest.json),"
                + " overlay.png, local-mosaic.png, global-mosaic.png%n", g.columns() + "x" + g.rows(),
                crops.local().size(), crops.global().size(), subSize, subSize);

        // 3. Exact round trips from memory and from the written files.
        int[] canvas = GridMaps.pixels(crops.canvas());
        check(o, "recombineLocal(crop_local(x)) == x (eq. 5)",
                Arrays.equals(canvas, GridMaps.pixels(GridMaps.recombineLocal(crops.local(), g))));
        check(o, "recombineGlobal(crop_global(x)) == x (eq. 6)",
                Arrays.equals(canvas, GridMaps.pixels(GridMaps.recombineGlobal(crops.global(), g))));
        check(o, "round trip through the written PNG files, both perspectives",
                Arrays.equals(canvas, GridMaps.pixels(GridMaps.recombineLocal(readBack(run, crops, Perspective.LOCAL), g)))
                        && Arrays.equals(canvas, GridMaps.pixels(
                                GridMaps.recombineGlobal(readBack(run, crops, Perspective.GLOBAL), g))));
        o.printf("[3/6] image round trips checked on %,d pixels%n", canvas.length);

        // 4. The same index maps on DJL tensors: pixels (B, C, H, W) and feature maps (B, H, W, C).
        tensorChecks(o, crops);

        // 5. The DEM on patch features of the crops: PAPER and REFERENCE side by side.
        demStep(o, crops);

        // 6. The budget.
        String table = TokensCommand.table(size, size, dcm,
                EncoderSpec.clipVitL14x336().withResolution(subSize, Math.max(1, subSize / 24)));
        org.infllava.io.AtomicFiles.writeString(run.resolve("budget.txt"), table);
        o.println("[6/6] token / FLOP budget (encoder shaped like CLIP-ViT-L, 24x24 patches per sub-image):");
        o.print(table);

        JsonObject summary = new JsonObject();
        summary.addProperty("seed", seed);
        summary.addProperty("size", size);
        summary.addProperty("subSize", subSize);
        summary.addProperty("grid", grid);
        summary.addProperty("toolkit", VersionCommand.toolkitVersion());
        summary.addProperty("checksPassed", failures.isEmpty());
        summary.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
        org.infllava.io.AtomicFiles.writeString(run.resolve("demo.json"), new GsonBuilder().setPrettyPrinting().create()
                .toJson(summary) + "\n");
        o.printf("%s in %.1f s; outputs in %s%n", failures.isEmpty() ? "All checks passed" : "FAILED: " + failures,
                (System.nanoTime() - t0) / 1e9, run);
        return failures.isEmpty() ? 0 : Main.EXIT_FAILURE;
    }

    private void tensorChecks(PrintWriter o, DualCrops crops) {
        CropGrid g = crops.plan().grid();
        ClipPreprocessor pre = ClipPreprocessor.clip();
        float[] x = pre.normalize(crops.canvas());
        try (NDManager m = deviceOption.newManager()) {
            NDArray pixels = m.create(x, new ai.djl.ndarray.types.Shape(1, 3, g.height(), g.width())); // (B, C, H, W)
            for (Perspective p : Perspective.values()) {
                NDArray subs = GridMaps.crop(pixels, g, p, Layout.CHANNELS_FIRST); // (B·N, C, h, w)
                float[][] planar = GridMaps.crop(x, 3, g, p);
                boolean same = true;
                for (int k = 0; k < g.count(); k++) {
                    same &= Arrays.equals(planar[k], subs.get(k).toFloatArray());
                }
                check(o, "tensor " + p.id() + " crop (B,C,H,W) == pixel index map", same);
                check(o, "tensor " + p.id() + " recombine is exact",
                        Arrays.equals(x, GridMaps.recombine(subs, g, p, Layout.CHANNELS_FIRST).toFloatArray()));
            }
            // A feature map of 24x24 tokens per sub-image, as CLIP would give: (B, nH·24, nW·24, C).
            CropGrid tokens = g.withSubSize(24, 24);
            NDArray features = m.randomNormal(new ai.djl.ndarray.types.Shape(1, tokens.height(), tokens.width(), 16));
            NDArray back = GridMaps.recombineGlobal(GridMaps.crop(features, tokens, Perspective.GLOBAL,
                    Layout.CHANNELS_LAST), tokens, Layout.CHANNELS_LAST);
            check(o, "feature map (B,H,W,C) global re-crop + recombine is exact",
                    Arrays.equals(features.toFloatArray(), back.toFloatArray()));
            if (g.columns() == g.rows() && g.columns() % 2 == 1) {
                float[] low = ClipPreprocessor.lowResReference(x, g.height(), g.width(), g.subHeight(), g.subWidth());
                int centre = g.count() / 2;
                float[] centreGlobal = GridMaps.crop(x, 3, g, Perspective.GLOBAL)[centre];
                float maxDiff = 0;
                for (int i = 0; i < low.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(low[i] - centreGlobal[i]));
                }
                check(o, String.format("reference low-res view == global sub-image #%d (max |diff| %.1e)", centre,
                        maxDiff), maxDiff < 1e-5f);
            }
            o.printf("[4/6] tensor path on %s %s%n", Engine.getInstance().getEngineName(),
                    Engine.getInstance().getVersion());
        }
    }

    /**
     * Stand-in encoder features (no CLIP here): each sub-image cut into {@code t × t} patches, the mean colour of each
     * patch projected to {@code d = 64} by a fixed random matrix. Then both DEM presets run on them, and the gradient
     * of the output says which sub-images influence it.
     */
    private void demStep(PrintWriter o, DualCrops crops) {
        CropGrid g = crops.plan().grid();
        int sub = g.subWidth();
        int t = 1;
        for (int c = 1; c <= Math.min(24, sub); c++) {
            if (sub % c == 0 && g.subHeight() % c == 0) {
                t = c;
            }
        }
        int n = g.count();
        o.printf("[5/6] DEM (d = 64) on stand-in patch features (%dx%d patches of mean colour per sub-image), "
                + "PAPER vs REFERENCE, and which inputs reach the output (gradient):%n", t, t);
        TextTable table = new TextTable("preset", "parameters", "output", "fwd+bwd ms", "local inputs with gradient",
                "global inputs with gradient");
        float[] x = ClipPreprocessor.clip().normalize(crops.canvas());
        try (NDManager m = deviceOption.newManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
            NDArray pixels = m.create(x, new ai.djl.ndarray.types.Shape(1, 3, g.height(), g.width())); // (B, C, H, W)
            NDArray proj = m.randomNormal(new ai.djl.ndarray.types.Shape(3, 64));
            NDArray local = patchFeatures(GridMaps.crop(pixels, g, Perspective.LOCAL, Layout.CHANNELS_FIRST), t, proj);
            NDArray global = patchFeatures(GridMaps.crop(pixels, g, Perspective.GLOBAL, Layout.CHANNELS_FIRST), t, proj);
            float[] low = ClipPreprocessor.lowResReference(x, g.height(), g.width(), g.subHeight(), g.subWidth());
            NDArray lowRes = patchFeatures(m.create(low, new ai.djl.ndarray.types.Shape(1, 3, g.subHeight(),
                    g.subWidth())), t, proj);
            for (boolean reference : new boolean[] {false, true}) {
                org.infllava.dem.DualPerspectiveEnhancement dem = reference
                        ? org.infllava.dem.DemPresets.reference(64, g.columns(), g.rows(), 8)
                        : org.infllava.dem.DemPresets.paper(64, g.columns(), g.rows());
                dem.initialize(m, seed);
                NDArray l = local.duplicate();
                NDArray gl = global.duplicate();
                l.setRequiresGradient(true);
                gl.setRequiresGradient(true);
                long t0 = System.nanoTime();
                NDArray out;
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    out = dem.forwardSubFeatures(new ai.djl.training.ParameterStore(m, false), l, gl, lowRes, true);
                    gc.backward(out.mul(m.randomNormal(out.getShape())).sum());
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                int liveLocal = 0;
                int liveGlobal = 0;
                for (int k = 0; k < n; k++) {
                    liveLocal += l.getGradient().get(k).abs().sum().getFloat() > 0 ? 1 : 0;
                    liveGlobal += gl.getGradient().get(k).abs().sum().getFloat() > 0 ? 1 : 0;
                }
                table.row(reference ? "REFERENCE" : "PAPER", String.format("%,d", dem.parameterCount()),
                        out.getShape().toString(), String.format("%.0f", ms), liveLocal + " of " + n,
                        liveGlobal + " of " + n);
                if (reference && g.columns() == g.rows() && g.columns() % 2 == 1) {
                    check(o, "REFERENCE: only the centre global sub-image reaches the output (bilinear at odd factor)",
                            liveGlobal == 1 && liveLocal == n);
                } else if (!reference) {
                    check(o, "PAPER: every local and global sub-image reaches the output (average pooling)",
                            liveGlobal == n && liveLocal == n);
                }
            }
        }
        o.print(table.toString().indent(6));
    }

    /** {@code (N, 3, S, S)} pixels to {@code (N, t, t, 64)} features: patch means projected by {@code proj (3, 64)}. */
    private static NDArray patchFeatures(NDArray subs, int t, NDArray proj) {
        ai.djl.ndarray.types.Shape s = subs.getShape();
        long p = s.get(2) / t;
        return subs.reshape(s.get(0), 3, t, p, t, p) // (N, 3, t, p, t, p)
                .mean(new int[] {5}).mean(new int[] {3}) // (N, 3, t, t)
                .transpose(0, 2, 3, 1) // (N, t, t, 3)
                .matMul(proj); // (N, t, t, 64)
    }

    private static List<BufferedImage> readBack(Path run, DualCrops crops, Perspective p) {
        List<BufferedImage> subs = new ArrayList<>();
        for (int k = 0; k < crops.plan().grid().count(); k++) {
            subs.add(ClipPreprocessor.toRgb(
                    ImageFiles.read(run.resolve("crops").resolve(crops.plan().view(p, k).fileName()))));
        }
        return subs;
    }

    private void check(PrintWriter o, String what, boolean ok) {
        o.printf("      %s %s%n", ok ? "ok  " : "FAIL", what);
        if (!ok) {
            failures.add(what);
        }
    }
}
