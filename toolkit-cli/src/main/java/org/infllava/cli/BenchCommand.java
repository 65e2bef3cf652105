package org.infllava.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.CropGrid;
import org.infllava.crop.GridMaps;
import org.infllava.crop.GridMaps.Layout;
import org.infllava.crop.Perspective;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava bench crop}: milliseconds per image for each perspective and for recombination. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Micro-benchmarks that print numbers.",
        subcommands = {BenchCommand.Crop.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code infllava bench crop}. */
    @Command(name = "crop", mixinStandardHelpOptions = true,
            description = "ms per SIZExSIZE image: local and global crop, recombination, pre-processing, tensor path.")
    static final class Crop implements Callable<Integer> {

        @Option(names = "--size", defaultValue = "1008", description = "Canvas side (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--grid", defaultValue = "3", description = "N x N grid (default: ${DEFAULT-VALUE}).")
        int grid;

        @Option(names = "--iterations", defaultValue = "200", description = "Timed runs (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--warmup", defaultValue = "50", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--no-tensor", description = "Skip the DJL tensor path.")
        boolean noTensor;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (size < 1 || grid < 1 || size % grid != 0 || iterations < 1 || warmup < 0) {
                throw new InvalidInputException("--size must be a positive multiple of --grid and --iterations "
                        + "positive, got size=" + size + " grid=" + grid + " iterations=" + iterations);
            }
            PrintWriter o = spec.commandLine().getOut();
            CropGrid g = CropGrid.of(grid, grid, size / grid, size / grid);
            Random r = new Random(1);
            BufferedImage img = GridMaps.image(r.ints(size * size, 0, 1 << 24).toArray(), size, size);
            List<BufferedImage> local = GridMaps.crop(img, g, Perspective.LOCAL);
            List<BufferedImage> global = GridMaps.crop(img, g, Perspective.GLOBAL);
            float[] planar = ClipPreprocessor.clip().normalize(img);
            BufferedImage big = GridMaps.image(r.ints(2016 * 1512, 0, 1 << 24).toArray(), 2016, 1512);
            TextTable t = new TextTable("operation", "median ms", "min ms", "p90 ms");
            o.printf("bench crop: %dx%d RGB image, grid %s, %d warm-up + %d timed runs, Java %s, %d cores%n", size,
                    size, g, warmup, iterations, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors());
            time(t, "local crop (image -> N images)", () -> GridMaps.crop(img, g, Perspective.LOCAL));
            time(t, "global crop (image -> N images)", () -> GridMaps.crop(img, g, Perspective.GLOBAL));
            time(t, "recombine local (eq. 5)", () -> GridMaps.recombineLocal(local, g));
            time(t, "recombine global (eq. 6)", () -> GridMaps.recombineGlobal(global, g));
            time(t, "local crop, planar float CHW", () -> GridMaps.crop(planar, 3, g, Perspective.LOCAL));
            time(t, "global crop, planar float CHW", () -> GridMaps.crop(planar, 3, g, Perspective.GLOBAL));
            time(t, "CLIP normalise (image -> CHW)", () -> ClipPreprocessor.clip().normalize(img));
            time(t, "bicubic resize 2016x1512 -> " + size, () -> ClipPreprocessor.resize(big, size, size));
            if (!noTensor) {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray x = m.create(planar, new Shape(1, 3, size, size));
                    for (Perspective p : Perspective.values()) {
                        time(t, "tensor " + p.id() + " crop (1,3,H,W), to host", () -> {
                            try (NDManager s = m.newSubManager()) {
                                NDArray y = GridMaps.crop(x, g, p, Layout.CHANNELS_FIRST);
                                y.attach(s);
                                return y.toFloatArray();
                            }
                        });
                    }
                }
            }
            o.print(t);
            return 0;
        }

        private void time(TextTable t, String name, java.util.function.Supplier<Object> op) {
            Object sink = null;
            System.gc(); // start each operation from a clean heap, so one's garbage does not bill the next
            for (int i = 0; i < warmup; i++) {
                sink = op.get();
            }
            double[] ms = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long s = System.nanoTime();
                sink = op.get();
                ms[i] = (System.nanoTime() - s) / 1e6;
            }
            if (sink == null) {
                throw new IllegalStateException(name + " returned nothing");
            }
            Arrays.sort(ms);
            t.row(name, String.format("%.2f", ms[ms.length / 2]), String.format("%.2f", ms[0]),
                    String.format("%.2f", ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.9) - 1)]));
        }
    }
}
