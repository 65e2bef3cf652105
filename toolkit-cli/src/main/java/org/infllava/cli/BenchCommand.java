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
import ai.djl.training.ParameterStore;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava bench crop}: milliseconds per image for each perspective and for recombination. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Micro-benchmarks that print numbers.",
        subcommands = {BenchCommand.Crop.class, BenchCommand.Dem.class, BenchCommand.Model.class,
            BenchCommand.Train.class, BenchCommand.Soak.class, BenchOps.class})
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

        @CommandLine.Mixin
        DeviceOption deviceOption = new DeviceOption();

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
                try (NDManager m = deviceOption.newManager()) {
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

    /** {@code infllava bench dem}: forward time and peak native memory of the presets beside naive attention. */
    @Command(name = "dem", mixinStandardHelpOptions = true,
            description = "DEM forward time and peak native memory at the real size (3x3 grid, 24x24 tokens, d=1024), "
                    + "PAPER and REFERENCE beside a naive full cross-attention over all tokens.")
    static final class Dem implements Callable<Integer> {

        @CommandLine.Mixin
        DeviceOption deviceOption = new DeviceOption();

        @Option(names = "--channels", defaultValue = "1024", description = "d (default: ${DEFAULT-VALUE}).")
        int channels;

        @Option(names = "--grid", defaultValue = "3", description = "N x N grid (default: ${DEFAULT-VALUE}).")
        int grid;

        @Option(names = "--tokens", defaultValue = "24", description = "Tokens per sub-image side (default: ${DEFAULT-VALUE}).")
        int tokens;

        @Option(names = "--heads", defaultValue = "8", description = "Heads of REFERENCE and naive (default: ${DEFAULT-VALUE}).")
        int heads;

        @Option(names = "--iterations", defaultValue = "5", description = "Timed runs (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--no-naive", description = "Skip the naive full attention.")
        boolean noNaive;

        @Option(names = "--only", paramLabel = "paper|reference|naive",
                description = "Run one module only (a fresh process per module gives comparable peak memory).")
        String only;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (only != null && !List.of("paper", "reference", "naive").contains(only.toLowerCase(java.util.Locale.ROOT))) {
                throw new InvalidInputException("--only must be paper, reference or naive, got '" + only + "'");
            }
            if (channels < 16 || grid < 1 || tokens < 1 || heads < 1 || channels % heads != 0 || iterations < 1) {
                throw new InvalidInputException("bench dem: need channels >= 16 divisible by heads, grid, tokens and "
                        + "iterations >= 1; got channels=" + channels + " heads=" + heads + " grid=" + grid
                        + " tokens=" + tokens + " iterations=" + iterations);
            }
            PrintWriter o = spec.commandLine().getOut();
            int side = grid * tokens;
            long n = (long) side * side;
            o.printf("bench dem: maps (1, %d, %d, %d), grid %dx%d of %dx%d tokens, %d warm-up + %d timed runs, "
                    + "%d cores, %s threads%n", side, side, channels, grid, grid, tokens, tokens, warmup, iterations,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));
            TextTable t = new TextTable("module", "parameters", "median s", "min s", "peak native MB",
                    "all scores MB");
            try (NDManager m = deviceOption.newManager()) {
                NDArray local = m.randomNormal(new Shape(1, side, side, channels));
                NDArray global = m.randomNormal(new Shape(1, side, side, channels));
                NDArray low = m.randomNormal(new Shape(1, tokens, tokens, channels));
                ParameterStore ps = new ParameterStore(m, false);
                long windowScores = 2L * grid * grid * heads * (long) tokens * tokens * tokens * tokens * 4;
                if (selected("paper")) {
                    run(t, "PAPER (1 head, separate, avg pool)", org.infllava.dem.DemPresets.paper(channels, grid,
                            grid), m, ps, local, global, low, 2L * grid * grid * (long) tokens * tokens * tokens * tokens * 4);
                }
                if (selected("reference")) {
                    run(t, "REFERENCE (SpatialEmbed)", org.infllava.dem.DemPresets.reference(channels, grid, grid,
                            heads), m, ps, local, global, low, windowScores);
                }
                if (!noNaive && selected("naive")) {
                    // Naive: every token attends to every token, all heads' scores held at once.
                    org.infllava.dem.WindowCrossAttention naive = org.infllava.dem.WindowCrossAttention.builder()
                            .setChannels(channels).optHeads(heads).optBias(true).optOutProjection(true)
                            .optMaxScoreBytes(Long.MAX_VALUE).build();
                    naive.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, local.getShape(), global.getShape());
                    time(t, "naive full cross-attention, both directions", naive.getParameters().stream()
                            .mapToLong(p -> p.getValue().getShape().size()).sum(), 2L * heads * n * n * 4, m, () -> {
                                naive.attend(ps, global, local, 1, 1, Perspective.LOCAL, false);
                                return naive.attend(ps, local, global, 1, 1, Perspective.LOCAL, false);
                            });
                }
            }
            o.print(t);
            o.println("peak native MB: resident memory above the start of each forward (sampled every ms); all scores"
                    + " MB: the (windows, heads, T, T) float32 score tensors of both directions if held at once (heads"
                    + " are computed in groups of <= 32 MiB and freed in inference).");
            return 0;
        }

        private boolean selected(String name) {
            return only == null || only.equalsIgnoreCase(name);
        }

        private void run(TextTable t, String name, org.infllava.dem.DualPerspectiveEnhancement dem, NDManager m,
                ParameterStore ps, NDArray local, NDArray global, NDArray low, long scoreBytes) {
            dem.initialize(m, 0);
            time(t, name, dem.parameterCount(), scoreBytes, m, () -> dem.forward(ps, local, global, low, false));
        }

        private void time(TextTable t, String name, long params, long scoreBytes, NDManager m,
                java.util.function.Supplier<NDArray> forward) {
            for (int i = 0; i < warmup; i++) {
                try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                    forward.get().toFloatArray();
                }
            }
            double[] s = new double[iterations];
            long peak = 0;
            for (int i = 0; i < iterations; i++) {
                System.gc();
                try (MemorySampler mem = new MemorySampler(); ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                    long t0 = System.nanoTime();
                    forward.get().toFloatArray();
                    s[i] = (System.nanoTime() - t0) / 1e9;
                    peak = Math.max(peak, mem.peakAboveBaseline());
                }
            }
            Arrays.sort(s);
            t.row(name, String.format("%,d", params), String.format("%.3f", s[s.length / 2]), String.format("%.3f", s[0]),
                    MemorySampler.available() ? String.format("%.0f", peak / 1e6) : "n/a",
                    String.format("%.0f", scoreBytes / 1e6));
        }
    }

    /**
     * {@code infllava bench model}: vision forward, LLM prefill and per-token decode at a tiny and a medium size,
     * random weights; bench/bench_model.py times the same computations in PyTorch-Python.
     */
    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Vision forward, LLM prefill and decode ms/token (context 64 and 1024), tiny and medium "
                    + "configs; compare with python3 bench/bench_model.py.")
    static final class Model implements Callable<Integer> {

        @CommandLine.Mixin
        DeviceOption deviceOption = new DeviceOption();

        @Option(names = "--size", defaultValue = "tiny,medium", split = ",",
                description = "tiny and/or medium (default: ${DEFAULT-VALUE}).")
        List<String> sizes;

        @Option(names = "--iterations", defaultValue = "5", description = "Timed runs (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--warmup", defaultValue = "10",
                description = "Untimed vision and prefill runs before the timed ones (0: none; default: ${DEFAULT-VALUE}; "
                        + "bench/bench_model.py warms up as many, so both sides are timed in steady state).")
        int warmup;

        @Option(names = "--warmup-seconds", defaultValue = "2",
                description = "Keep warming up each timed operation (vision, prefill, each decode context) until this "
                        + "many seconds have passed, after --warmup / --decode-warmup runs (0: counts only; default: "
                        + "${DEFAULT-VALUE}). The JVM compiles a hot path only after thousands of calls, so ten runs of a "
                        + "1-ms forward time interpreted code; bench/bench_model.py warms up by the same rule.")
        double warmupSeconds;

        @Option(names = "--decode-steps", defaultValue = "16", description = "Decode steps timed per context (default: ${DEFAULT-VALUE}).")
        int decodeSteps;

        @Option(names = "--decode-warmup", defaultValue = "64",
                description = "Untimed decode steps before each context's timing, on a cache of their own (default: ${DEFAULT-VALUE}).")
        int decodeWarmup;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (iterations < 1 || warmup < 0 || decodeSteps < 1 || decodeWarmup < 0 || !(warmupSeconds >= 0)) {
                throw new InvalidInputException("bench model needs --iterations >= 1, --warmup >= 0, --decode-steps >= 1, "
                        + "--decode-warmup >= 0 and --warmup-seconds >= 0, got iterations=" + iterations + " warmup="
                        + warmup + " decode-steps=" + decodeSteps + " decode-warmup=" + decodeWarmup
                        + " warmup-seconds=" + warmupSeconds);
            }
            PrintWriter o = spec.commandLine().getOut();
            TextTable t = new TextTable("config", "vision forward ms", "prefill 256 ms", "decode ms/token @64",
                    "decode ms/token @1024");
            for (String size : sizes) {
                boolean medium = switch (size) {
                    case "tiny" -> false;
                    case "medium" -> true;
                    default -> throw new InvalidInputException("--size takes tiny and medium, got '" + size + "'");
                };
                org.infllava.model.ClipVisionConfig vc = medium
                        ? new org.infllava.model.ClipVisionConfig(512, 2048, 8, 8, 3, 224, 14, "quick_gelu", 1e-5f)
                        : new org.infllava.model.ClipVisionConfig(64, 256, 2, 4, 3, 32, 4, "quick_gelu", 1e-5f);
                org.infllava.model.LlamaConfig lc = medium
                        ? new org.infllava.model.LlamaConfig(32000, 512, 1376, 8, 8, 4, 1e-5f, 500000, null, 2048, false)
                        : new org.infllava.model.LlamaConfig(1000, 64, 128, 2, 4, 2, 1e-5f, 500000, null, 2048, false);
                try (NDManager m = deviceOption.newManager()) {
                    ParameterStore ps = new ParameterStore(m, false);
                    org.infllava.model.ClipVisionEncoder enc = new org.infllava.model.ClipVisionEncoder(vc);
                    enc.initialize(m, 0);
                    org.infllava.model.LlamaDecoder llm = new org.infllava.model.LlamaDecoder(lc);
                    llm.initialize(m, 0);
                    NDArray pixels = m.randomNormal(new Shape(1, 3, vc.imageSize(), vc.imageSize()));
                    double vision = medianMs(() -> enc.features(ps, pixels, -2,
                            org.infllava.model.ClipVisionEncoder.SelectFeature.PATCH, false).toFloatArray());
                    NDArray ids = m.randomInteger(3, lc.vocabSize(), new Shape(1, 256), ai.djl.ndarray.types.DataType.INT64);
                    double prefill = medianMs(() -> llm.logits(ps, ids, null, null, null, false).get(":, -1, :")
                            .toFloatArray());
                    t.row(size + " (vision d=" + vc.hiddenSize() + " L=" + vc.layers() + ", LLM d=" + lc.hiddenSize()
                            + " L=" + lc.layers() + " V=" + lc.vocabSize() + ")", String.format("%.2f", vision),
                            String.format("%.2f", prefill), String.format("%.2f", decodeMs(m, ps, llm, 64)),
                            String.format("%.2f", decodeMs(m, ps, llm, 1024)));
                }
            }
            o.printf("bench model: %d warm-up runs and at least %.1f s of them + %d timed runs (median), %d decode "
                    + "steps, %d cores, PyTorch %s%n", warmup, warmupSeconds, iterations, decodeSteps, Runtime.getRuntime().availableProcessors(), ai.djl.engine.Engine.getInstance().getVersion());
            o.print(t);
            return 0;
        }

        /** Whether warm-up run {@code i} (0-based) started {@code sinceNanos} is still to run. */
        private boolean warming(int i, int runs, long sinceNanos) {
            return i < runs || System.nanoTime() - sinceNanos < warmupSeconds * 1e9;
        }

        private double medianMs(Runnable op) {
            long t = System.nanoTime();
            for (int i = 0; warming(i, warmup, t); i++) {
                try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                    op.run();
                }
            }
            double[] ms = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                    long t0 = System.nanoTime();
                    op.run();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            return ms[ms.length / 2];
        }

        /**
         * Prefills {@code context} tokens, then times single-token steps with the KV cache. Generations of
         * {@link #decodeWarmup} untimed steps, each on a cache of its own, repeated until {@link #warmupSeconds} have
         * passed, warm the JIT's compiled code for the decode path (as JMH's warm-up iterations do), so the timed
         * steps run at the same context without the interpreter.
         */
        private double decodeMs(NDManager m, ParameterStore ps, org.infllava.model.LlamaDecoder llm, int context) {
            // generations of decodeWarmup steps, each on a fresh cache (so the context stays near `context`), until
            // --warmup-seconds have passed
            long t = System.nanoTime();
            for (int g = 0; g == 0 || warming(0, 0, t); g++) {
                try (NDManager s = m.newSubManager();
                        org.infllava.model.KvCache cache = new org.infllava.model.KvCache()) {
                    NDArray ids = s.randomInteger(3, llm.config().vocabSize(), new Shape(1, context),
                            ai.djl.ndarray.types.DataType.INT64);
                    llm.logits(ps, ids, null, null, cache, false);
                    NDArray tok = s.create(new long[] {5}, new Shape(1, 1));
                    for (int i = 0; i < decodeWarmup; i++) {
                        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                            llm.logits(ps, tok, null, null, cache, false).toFloatArray();
                            cache.unregisterFromScope();
                        }
                    }
                }
            }
            try (NDManager s = m.newSubManager(); org.infllava.model.KvCache cache = new org.infllava.model.KvCache()) {
                NDArray ids = s.randomInteger(3, llm.config().vocabSize(), new Shape(1, context),
                        ai.djl.ndarray.types.DataType.INT64);
                llm.logits(ps, ids, null, null, cache, false);
                NDArray tok = s.create(new long[] {5}, new Shape(1, 1));
                llm.logits(ps, tok, null, null, cache, false).toFloatArray(); // warm-up step
                double[] ms = new double[decodeSteps];
                for (int i = 0; i < decodeSteps; i++) {
                    long t0 = System.nanoTime();
                    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                        llm.logits(ps, tok, null, null, cache, false).toFloatArray();
                        cache.unregisterFromScope();
                    }
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                return ms[ms.length / 2];
            }
        }
    }

    /** {@code infllava bench train}: step time, tokens/s and resident memory over a long tiny run. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a config for N steps (no checkpoints) and print step time, tokens/s and resident "
                    + "memory every 50 steps: native memory must stay flat.")
    static final class Train implements Callable<Integer> {

        @CommandLine.Mixin
        DeviceOption deviceOption = new DeviceOption();

        @Option(names = "--config", defaultValue = "examples/tiny-cpu.json", description = "Run config (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path config;

        @Option(names = "--steps", defaultValue = "500", description = "Steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws java.io.IOException {
            org.infllava.train.RunConfig c = org.infllava.train.RunConfig.load(config);
            org.infllava.train.TrainSettings t = c.train();
            org.infllava.train.TrainSettings long_ = new org.infllava.train.TrainSettings(t.seed(), steps, t.batchSize(),
                    t.accumulation(), t.lr(), t.warmupRatio(), t.minLrRatio(), t.weightDecay(), t.clipNorm(),
                    t.freeze(), t.groupByLength(), 0, 1, Integer.MAX_VALUE);
            c = new org.infllava.train.RunConfig(c.name(), c.seed(), c.stage(), c.device(), c.model(), c.data(), long_,
                    c.precision(), c.json(), c.lora());
            PrintWriter o = spec.commandLine().getOut();
            java.nio.file.Path runDir = java.nio.file.Files.createTempDirectory("infllava-bench-train");
            TextTable table = new TextTable("steps", "mean step ms", "tokens/s", "resident MB");
            try (NDManager m = deviceOption.newManager()) {
                org.infllava.train.Trainer tr = org.infllava.train.TrainRun.prepare(c, runDir, m,
                        new PrintWriter(java.io.Writer.nullWriter()));
                table.row(0, "-", "-", String.format("%.0f", MemorySampler.rssBytes() / 1e6));
                for (int done = 0; done < steps; ) {
                    int next = Math.min(steps, done + 50);
                    long t0 = System.nanoTime();
                    tr.run(next);
                    double sec = (System.nanoTime() - t0) / 1e9;
                    long tokens = tr.history().subList(done, next).stream().mapToLong(s -> s.tokens()).sum();
                    table.row(next, String.format("%.1f", 1000 * sec / (next - done)), String.format("%.0f", tokens / sec),
                            String.format("%.0f", MemorySampler.rssBytes() / 1e6));
                    done = next;
                }
            } finally {
                CropWriter.deleteTree(runDir);
            }
            o.printf("bench train: %s, %d steps, batch %d, %d cores%n", config, steps, t.batchSize(),
                    Runtime.getRuntime().availableProcessors());
            o.print(table);
            return 0;
        }
    }

    /**
     * {@code infllava bench soak}: many training steps, then many generations with images, in one JVM; resident
     * memory ({@code /proc/self/status} VmRSS) and the same less the Java heap in use (native memory, mostly tensors) sampled periodically; flat within a
     * tolerance after the warm-up ({@link SoakVerdict}), else exit 1.
     */
    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = "Train N steps, then generate M answers with images, in one JVM; print resident and "
                    + "resident-minus-heap samples and whether each stays flat within the tolerance after warm-up.")
    static final class Soak implements Callable<Integer> {

        @Option(names = "--config", defaultValue = "examples/tiny-cpu.json", description = "Run config (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path config;

        @Option(names = "--steps", defaultValue = "2000", description = "Training steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--generations", defaultValue = "2000", description = "Generations (default: ${DEFAULT-VALUE}).")
        int generations;

        @Option(names = "--samples", defaultValue = "20", description = "Memory samples per phase (default: ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--warmup", defaultValue = "0.2", description = "Share of each phase that is warm-up (default: ${DEFAULT-VALUE}).")
        double warmup;

        @Option(names = "--tolerance", defaultValue = "0.05", description = "Allowed relative drift after warm-up (default: ${DEFAULT-VALUE}).")
        double tolerance;

        @Option(names = "--new-tokens", defaultValue = "8", description = "Tokens per generation (default: ${DEFAULT-VALUE}).")
        int newTokens;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws java.io.IOException {
            if (steps < 1 || generations < 1 || samples < 2 || !(warmup >= 0 && warmup < 1) || !(tolerance >= 0)) {
                throw new InvalidInputException("--steps and --generations must be at least 1, --samples at least 2, "
                        + "--warmup in [0, 1), --tolerance >= 0; got " + steps + ", " + generations + ", " + samples
                        + ", " + warmup + ", " + tolerance);
            }
            if (!MemorySampler.available()) {
                throw new InvalidInputException(java.nio.file.Path.of("/proc/self/status"), "not readable: the soak "
                        + "benchmark samples VmRSS there (Linux only)");
            }
            org.infllava.train.RunConfig c = org.infllava.train.RunConfig.load(config);
            org.infllava.train.TrainSettings t = c.train();
            org.infllava.train.TrainSettings soak = new org.infllava.train.TrainSettings(t.seed(), steps, t.batchSize(),
                    t.accumulation(), t.lr(), t.warmupRatio(), t.minLrRatio(), t.weightDecay(), t.clipNorm(),
                    t.freeze(), t.groupByLength(), 0, 1, Integer.MAX_VALUE);
            c = new org.infllava.train.RunConfig(c.name(), c.seed(), c.stage(), c.device(), c.model(), c.data(), soak,
                    c.precision(), c.json());
            PrintWriter o = spec.commandLine().getOut();
            java.nio.file.Path runDir = java.nio.file.Files.createTempDirectory("infllava-bench-soak");
            boolean flat = true;
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                org.infllava.train.Trainer tr = org.infllava.train.TrainRun.prepare(c, runDir, m,
                        new PrintWriter(java.io.Writer.nullWriter()));
                long t0 = System.nanoTime();
                flat &= phase(o, "training", steps, done -> tr.run(done));
                o.printf("training: %d steps in %.1f s%n", steps, (System.nanoTime() - t0) / 1e9);

                org.infllava.model.InfLlavaModel model = tr.model();
                long img = org.infllava.infer.ChatTemplate.IMAGE_TOKEN;
                org.infllava.infer.GenerationConfig gen = org.infllava.infer.GenerationConfig.greedy(newTokens);
                List<BufferedImage> images = new java.util.ArrayList<>();
                Random r = new Random(7);
                for (int i = 0; i < 8; i++) {
                    images.add(randomImage(r, 60 + 12 * i, 90 - 6 * i));
                }
                int vocab = model.llm().config().vocabSize();
                int[] next = {0};
                long[] tokens = {0};
                long t1 = System.nanoTime();
                flat &= phase(o, "generation", generations, done -> {
                    for (; next[0] < done; next[0]++) {
                        int i = next[0];
                        try (NDManager s = m.newSubManager()) {
                            long[] prompt = {1, img, 3 + i % (vocab - 3), 3 + (i / 3) % (vocab - 3)};
                            tokens[0] += model.generate(new ParameterStore(s, false), s, prompt,
                                    List.of(images.get(i % images.size())), gen, null).length;
                        }
                    }
                });
                o.printf("generation: %d answers (%d tokens) in %.1f s%n", generations, tokens[0],
                        (System.nanoTime() - t1) / 1e9);
            } finally {
                CropWriter.deleteTree(runDir);
            }
            o.printf("bench soak: %s, %d steps, %d generations, %d samples per phase, warm-up %.0f %%, tolerance "
                    + "%.0f %%, %d cores, max heap %d MB: %s%n", config, steps, generations, samples, 100 * warmup,
                    100 * tolerance, Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20, flat ? "FLAT" : "NOT FLAT");
            return flat ? 0 : 1;
        }

        /** Runs {@code total} units in {@code samples} chunks, sampling memory after each; prints and judges them. */
        private boolean phase(PrintWriter o, String name, int total, java.util.function.IntConsumer runUntil) {
            int n = Math.min(samples, total);
            long[] rss = new long[n];
            long[] offHeap = new long[n];
            TextTable table = new TextTable(name, "resident MB", "resident - heap used MB", "heap used MB");
            for (int k = 0; k < n; k++) {
                int done = (int) ((long) total * (k + 1) / n);
                runUntil.accept(done);
                System.gc(); // so that the heap's share is its live objects, not garbage awaiting collection
                Runtime rt = Runtime.getRuntime();
                long used = rt.totalMemory() - rt.freeMemory();
                rss[k] = MemorySampler.rssBytes();
                offHeap[k] = rss[k] - used; // native tensors, libtorch, code and the heap's free resident pages
                table.row(done, String.format("%.1f", rss[k] / 1e6), String.format("%.1f", offHeap[k] / 1e6),
                        String.format("%.1f", used / 1e6));
                // progress as it comes (a long soak's samples are not lost if it is stopped); the table follows
                o.printf("%s sample %d/%d: %d done, resident %.1f MB, resident - heap used %.1f MB%n", name, k + 1, n,
                        done, rss[k] / 1e6, offHeap[k] / 1e6);
                o.flush();
            }
            o.print(table);
            SoakVerdict a = SoakVerdict.of(rss, warmup, tolerance);
            SoakVerdict b = SoakVerdict.of(offHeap, warmup, tolerance);
            o.printf("%s: resident %.1f MB after warm-up, then %.1f-%.1f MB (spread %.2f %%): %s; resident - heap %.1f MB, "
                    + "then %.1f-%.1f MB (spread %.2f %%): %s%n", name, a.reference() / 1e6, a.min() / 1e6,
                    a.max() / 1e6, 100 * a.spread(), a.flat() ? "flat" : "NOT flat", b.reference() / 1e6,
                    b.min() / 1e6, b.max() / 1e6, 100 * b.spread(), b.flat() ? "flat" : "NOT flat");
            o.flush();
            return a.flat() && b.flat();
        }

        private static BufferedImage randomImage(Random r, int w, int h) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = img.createGraphics();
            for (int i = 0; i < 10; i++) {
                g.setColor(new java.awt.Color(r.nextInt(0xFFFFFF)));
                g.fillRect(r.nextInt(w), r.nextInt(h), 4 + r.nextInt(w / 2), 4 + r.nextInt(h / 2));
            }
            g.dispose();
            return img;
        }
    }
}
