package org.infllava.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.io.InvalidInputException;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.ClipVisionEncoder;
import org.infllava.model.GradMode;
import org.infllava.model.KvCache;
import org.infllava.model.LlamaConfig;
import org.infllava.model.LlamaDecoder;
import org.infllava.model.MlpProjector;
import org.infllava.train.AdamW;
import org.infllava.train.GradientClipping;
import org.infllava.train.MixedPrecision;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infllava device-check}: the first run on a new accelerator. Prints the device; checks that a tiny model's
 * logits and one training step (cross-entropy, global-norm clipping, AdamW) on the device equal the CPU's; times a
 * real-size CLIP-L/14-336 forward of 19 views in fp16, the DEM on 72×72×1024 maps, and prefill and decode of a
 * LLaMA-3-8B-shaped stack of a few layers in fp16 (random weights); reports TFLOP/s and the fraction of
 * {@code --peak-tflops}; writes one JSON. Without a GPU it prints a skip line, writes a JSON that says so and exits 0;
 * {@code --cpu-smoke} runs every part with tiny sizes on the CPU instead (the code path, end to end, for tests).
 *
 * <p>FLOPs are 2 × multiply-adds of the matmuls: CLIP per view {@code L·(2·N·12·d² + 4·N²·d)} plus the patch
 * embedding {@code 2·P·3·p²·d}, with {@code N = P + 1} tokens; LLaMA as {@code LlamaDecoder}'s estimate (q, k, v, o,
 * gate/up/down, scores and weighted values, the LM head over every new position). Timings end with a one-element read
 * of the output, which waits for the device to finish.
 */
@Command(name = "device-check", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Check a GPU against the CPU and time real-size CLIP, DEM and LLaMA passes; one JSON. Skips "
                + "(exit 0) without a GPU; --cpu-smoke runs tiny sizes on the CPU.")
final class DeviceCheckCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Option(names = "--json", required = true, paramLabel = "FILE", description = "Where the report goes (atomically).")
    Path json;

    @Option(names = "--cpu-smoke", description = "Tiny sizes on the CPU: every part of the check, in seconds.")
    boolean cpuSmoke;

    @Option(names = "--peak-tflops", defaultValue = "0", paramLabel = "T",
            description = "The device's dense fp16 peak, for the fraction of peak (default: unknown).")
    double peakTflops;

    @Option(names = "--views", defaultValue = "19", paramLabel = "N", description = "CLIP views (default: ${DEFAULT-VALUE}).")
    int views;

    @Option(names = "--llm-layers", defaultValue = "4", paramLabel = "L",
            description = "LLaMA-3-8B-shaped layers (default: ${DEFAULT-VALUE}).")
    int llmLayers;

    @Option(names = "--prefill", defaultValue = "2048", paramLabel = "T", description = "Prefill tokens (default: ${DEFAULT-VALUE}).")
    int prefill;

    @Option(names = "--decode", defaultValue = "32", paramLabel = "T", description = "Decode steps (default: ${DEFAULT-VALUE}).")
    int decode;

    @Option(names = "--iterations", defaultValue = "3", paramLabel = "N", description = "Timed runs after one warm-up (default: ${DEFAULT-VALUE}).")
    int iterations;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The tolerance of device vs CPU, relative to the largest CPU value (TF32 convolutions, fused kernels). */
    static final double TOLERANCE = 5e-3;

    @Override
    public Integer call() {
        if (views < 1 || llmLayers < 1 || prefill < 1 || decode < 1 || iterations < 1 || peakTflops < 0) {
            throw new InvalidInputException("device-check: need views, llm-layers, prefill, decode, iterations >= 1 "
                    + "and peak-tflops >= 0; got views=" + views + " llm-layers=" + llmLayers + " prefill=" + prefill
                    + " decode=" + decode + " iterations=" + iterations + " peak-tflops=" + peakTflops);
        }
        PrintWriter out = spec.commandLine().getOut();
        Engine engine = Engine.getInstance();
        Device device = cpuSmoke ? Device.cpu() : deviceOption.device();
        JsonObject report = new JsonObject();
        report.addProperty("engine", engine.getEngineName() + " " + engine.getVersion());
        report.addProperty("gpu_count", engine.getGpuCount());
        report.addProperty("device", device.toString());
        report.addProperty("mode", cpuSmoke ? "cpu-smoke" : "full");
        out.printf("device-check: engine %s, %d GPU(s) visible, device %s%n", report.get("engine").getAsString(),
                engine.getGpuCount(), device);
        if (!cpuSmoke && !device.isGpu()) {
            String why = "no GPU visible to the PyTorch engine (CPU natives or no CUDA driver; see docs/gpu.md)";
            out.println("device-check: SKIP: " + why);
            report.addProperty("status", "skipped");
            report.addProperty("reason", why);
            write(report);
            return 0;
        }
        if (device.isGpu()) {
            var mem = ai.djl.util.cuda.CudaUtils.getGpuMemory(device);
            report.addProperty("gpu_memory_total_bytes", mem.getMax());
            report.addProperty("compute_capability", ai.djl.util.cuda.CudaUtils.getComputeCapability(device.getDeviceId()));
            out.printf("device-check: %s, compute capability %s, %.1f GiB%n", device,
                    report.get("compute_capability").getAsString(), mem.getMax() / (double) (1L << 30));
        }
        boolean pass;
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager dev = NDManager.newBaseManager(device, "PyTorch")) {
            JsonObject checks = equivalence(cpu, dev);
            pass = checks.get("pass").getAsBoolean();
            report.add("checks", checks);
            out.printf("check: logits max |device - cpu| %.3g (relative %.3g), one training step: loss diff %.3g, "
                    + "weights max diff %.3g (relative %.3g): %s%n", checks.get("logits_max_abs_diff").getAsDouble(),
                    checks.get("logits_relative_diff").getAsDouble(), checks.get("train_loss_abs_diff").getAsDouble(),
                    checks.get("train_weights_max_abs_diff").getAsDouble(),
                    checks.get("train_weights_relative_diff").getAsDouble(), pass ? "PASS" : "FAIL");
            JsonArray timings = new JsonArray();
            timings.add(clip(dev, out));
            timings.add(dem(dev, out));
            for (JsonObject t : llama(dev, out)) {
                timings.add(t);
            }
            report.add("timings", timings);
        }
        report.addProperty("peak_tflops", peakTflops);
        report.addProperty("status", pass ? "ok" : "mismatch");
        write(report);
        out.println("device-check: " + (pass ? "ok" : "MISMATCH against the CPU") + "; report " + json);
        return pass ? 0 : Main.EXIT_FAILURE;
    }

    // ---------------------------------------------------------------- equivalence with the CPU

    /** A tiny vision → projector → LLM chain, built identically on both managers. */
    private record Tiny(ClipVisionEncoder vision, MlpProjector projector, LlamaDecoder llm) {
        Map<String, Parameter> parameters() {
            Map<String, Parameter> out = new LinkedHashMap<>();
            vision.namedParameters().forEach((k, p) -> out.put("vision." + k, p));
            projector.namedParameters().forEach((k, p) -> out.put("projector." + k, p));
            llm.namedParameters().forEach((k, p) -> out.put("llm." + k, p));
            return out;
        }

        /** Logits {@code (1, P + T, V)} of the visual tokens of {@code pixels} followed by the text {@code ids}. */
        NDArray logits(ParameterStore ps, NDArray pixels, NDArray ids, boolean training) {
            NDArray v = projector.project(ps, vision.features(ps, pixels, -2, ClipVisionEncoder.SelectFeature.PATCH,
                    training), training); // (1, P, d)
            NDArray x = v.concat(llm.embed(ps, ids, training), 1); // (1, P + T, d)
            return llm.forward(ps, x, null, null, null, training); // (1, P + T, V)
        }
    }

    private static Tiny tiny(NDManager m) {
        ClipVisionEncoder vision = new ClipVisionEncoder(new ClipVisionConfig(32, 64, 2, 4, 3, 28, 14, "quick_gelu",
                1e-5f));
        vision.initialize(m, 1);
        LlamaDecoder llm = new LlamaDecoder(new LlamaConfig(64, 32, 64, 2, 4, 2, 1e-5f, 10000, null, 64, false));
        llm.initialize(m, 2);
        MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, 32, 32);
        projector.initialize(m, 3);
        return new Tiny(vision, projector, llm);
    }

    /**
     * The same weights (made on the CPU, copied by name), pixels and ids on both devices: logits, then one step of
     * cross-entropy on fixed targets with global-norm clipping at 1 and AdamW (lr 1e-2, decay 0.01).
     */
    private JsonObject equivalence(NDManager cpu, NDManager dev) {
        SplittableRandom r = new SplittableRandom(7);
        float[] pixels = new float[3 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        long[] ids = {1, 5, 9, 13, 17, 21};
        long[] targets = new long[4 + ids.length - 1]; // position j predicts token j + 1
        for (int i = 0; i < targets.length; i++) {
            targets[i] = r.nextInt(64);
        }
        Tiny a = tiny(cpu);
        Tiny b = tiny(dev);
        Map<String, Parameter> pa = a.parameters();
        Map<String, Parameter> pb = b.parameters();
        pa.forEach((k, p) -> pb.get(k).getArray().set(FloatBuffer.wrap(p.getArray().toFloatArray())));
        float[][] logits = new float[2][];
        float[] loss = new float[2];
        Tiny[] models = {a, b};
        NDManager[] ms = {cpu, dev};
        for (int i = 0; i < 2; i++) {
            NDManager m = ms[i];
            ParameterStore ps = new ParameterStore(m, false);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray px = m.create(pixels, new Shape(1, 3, 28, 28));
                NDArray tok = m.create(ids, new Shape(1, ids.length));
                try (GradMode off = GradMode.disabled()) {
                    logits[i] = models[i].logits(ps, px, tok, false).toFloatArray();
                }
                Map<String, Parameter> params = models[i].parameters();
                params.values().forEach(p -> p.getArray().setRequiresGradient(true));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray z = models[i].logits(ps, px, tok, true).get(":, :-1, :"); // (1, L-1, V)
                    NDArray picked = z.logSoftmax(-1).gather(m.create(targets, new Shape(1, targets.length, 1))
                            .duplicate(), -1); // (1, L-1, 1)
                    NDArray l = picked.mean().neg();
                    gc.backward(l);
                    loss[i] = l.getFloat();
                }
                GradientClipping.clipByGlobalNorm(params.values(), 1.0);
                new AdamW(params, m, 0.9, 0.999, 1e-8, 0.01).step(1e-2);
            }
        }
        JsonObject c = new JsonObject();
        double logitScale = maxAbs(logits[0]);
        double logitDiff = maxDiff(logits[0], logits[1]);
        double weightDiff = 0;
        double weightScale = 0;
        for (Map.Entry<String, Parameter> e : pa.entrySet()) {
            float[] x = e.getValue().getArray().toFloatArray();
            weightDiff = Math.max(weightDiff, maxDiff(x, pb.get(e.getKey()).getArray().toFloatArray()));
            weightScale = Math.max(weightScale, maxAbs(x));
        }
        c.addProperty("logits_max_abs_diff", logitDiff);
        c.addProperty("logits_relative_diff", logitDiff / Math.max(1e-12, logitScale));
        c.addProperty("train_loss_cpu", loss[0]);
        c.addProperty("train_loss_abs_diff", Math.abs(loss[0] - loss[1]));
        c.addProperty("train_weights_max_abs_diff", weightDiff);
        c.addProperty("train_weights_relative_diff", weightDiff / Math.max(1e-12, weightScale));
        c.addProperty("tolerance_relative", TOLERANCE);
        c.addProperty("pass", logitDiff <= TOLERANCE * logitScale && weightDiff <= TOLERANCE * weightScale
                && Math.abs(loss[0] - loss[1]) <= TOLERANCE * Math.max(1, Math.abs(loss[0])));
        return c;
    }

    private static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double maxDiff(float[] x, float[] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    // ---------------------------------------------------------------- timings

    /** CLIP-L/14-336 (smoke: d 64, 2 layers, 56 px) over {@code views} views in fp16. */
    private JsonObject clip(NDManager m, PrintWriter out) {
        ClipVisionConfig c = cpuSmoke ? new ClipVisionConfig(64, 128, 2, 4, 3, 56, 14, "quick_gelu", 1e-5f)
                : ClipVisionConfig.clipVitL14x336();
        int n = cpuSmoke ? 2 : views;
        try (NDManager sub = m.newSubManager()) {
            ClipVisionEncoder vision = new ClipVisionEncoder(c);
            vision.initialize(sub, 0);
            Map<String, Parameter> params = vision.namedParameters();
            ParameterStore half = new MixedPrecision(sub, params, Map.of(), 1, 1);
            NDArray pixels = sub.randomNormal(new Shape(n, 3, c.imageSize(), c.imageSize())).toType(DataType.FLOAT16,
                    false);
            long p = (long) c.gridSize() * c.gridSize();
            long tokens = p + 1;
            long d = c.hiddenSize();
            long perView = c.layers() * (2 * tokens * (4 * d * d + 2 * d * c.intermediateSize()) + 4 * tokens * tokens
                    * d) + 2 * p * 3L * c.patchSize() * c.patchSize() * d;
            return time(out, "clip_vision_fp16", "(" + n + ", 3, " + c.imageSize() + ", " + c.imageSize() + "), "
                    + c.layers() + " layers, d " + d, "float16", n * perView,
                    () -> vision.hiddenStates(half, pixels, c.layers(), false).get(c.layers()));
        }
    }

    /** The PAPER DEM on a 3×3 grid of 24×24 tokens at d 1024 (smoke: 2×2 of 4×4 at 32), fp32. */
    private JsonObject dem(NDManager m, PrintWriter out) {
        int d = cpuSmoke ? 32 : 1024;
        int grid = cpuSmoke ? 2 : 3;
        int t = cpuSmoke ? 4 : 24;
        int side = grid * t;
        try (NDManager sub = m.newSubManager()) {
            DualPerspectiveEnhancement dem = DemPresets.paper(d, grid, grid);
            dem.initialize(sub, 0);
            ParameterStore ps = new ParameterStore(sub, false);
            NDArray local = sub.randomNormal(new Shape(1, side, side, d));
            NDArray global = sub.randomNormal(new Shape(1, side, side, d));
            NDArray low = sub.randomNormal(new Shape(1, t, t, d));
            return time(out, "dem_paper_fp32", "(1, " + side + ", " + side + ", " + d + ")", "float32", 0,
                    () -> dem.forward(ps, local, global, low, false));
        }
    }

    /** A LLaMA-3-8B-shaped stack of {@code llmLayers} layers (smoke: d 64), fp16: prefill, then decode with the cache. */
    private JsonObject[] llama(NDManager m, PrintWriter out) {
        LlamaConfig c = cpuSmoke ? new LlamaConfig(256, 64, 128, 2, 4, 2, 1e-5f, 500000, null, 256, false)
                : new LlamaConfig(128256, 4096, 14336, llmLayers, 32, 8, 1e-5f, 500000, null, 8192, false);
        int pre = cpuSmoke ? 16 : prefill;
        int steps = cpuSmoke ? 4 : decode;
        try (NDManager sub = m.newSubManager()) {
            LlamaDecoder llm = new LlamaDecoder(c);
            llm.initialize(sub, 0);
            ParameterStore half = new MixedPrecision(sub, llm.namedParameters(), Map.of(), 1, 1);
            SplittableRandom r = new SplittableRandom(0);
            long[] ids = new long[pre];
            for (int i = 0; i < pre; i++) {
                ids[i] = r.nextInt(c.vocabSize());
            }
            NDArray prompt = sub.create(ids, new Shape(1, pre));
            NDArray next = sub.create(new long[] {1}, new Shape(1, 1));
            String shape = c.layers() + " layers, d " + c.hiddenSize() + ", ffn " + c.intermediateSize() + ", "
                    + c.heads() + "/" + c.kvHeads() + " heads, vocab " + c.vocabSize();
            JsonObject p = time(out, "llama_prefill_fp16", "prompt " + pre + ", " + shape, "float16",
                    LlamaFlops.forward(c, 1, pre, pre), () -> {
                        try (KvCache cache = new KvCache()) {
                            return llm.logits(half, prompt, null, null, cache, false);
                        }
                    });
            long decodeFlops = 0;
            for (int s = 0; s < steps; s++) {
                decodeFlops += LlamaFlops.forward(c, 1, 1, pre + s + 1);
            }
            JsonObject dcd = time(out, "llama_decode_fp16", steps + " steps after " + pre + ", " + shape, "float16",
                    decodeFlops, () -> {
                        try (KvCache cache = new KvCache()) {
                            NDArray last = llm.logits(half, prompt, null, null, cache, false);
                            for (int s = 0; s < steps; s++) {
                                last = llm.logits(half, next, null, null, cache, false);
                            }
                            return last;
                        }
                    });
            // Decode time excludes the prefill it starts from.
            double decodeOnly = Math.max(1e-9, dcd.get("seconds_median").getAsDouble()
                    - p.get("seconds_median").getAsDouble());
            dcd.addProperty("seconds_median", decodeOnly);
            dcd.addProperty("ms_per_token", 1e3 * decodeOnly / steps);
            dcd.addProperty("tflops", decodeFlops / decodeOnly / 1e12);
            if (peakTflops > 0) {
                dcd.addProperty("peak_fraction", decodeFlops / decodeOnly / 1e12 / peakTflops);
            }
            out.printf("  %-20s %.2f ms per token (prefill subtracted)%n", "llama_decode_fp16", 1e3 * decodeOnly / steps);
            return new JsonObject[] {p, dcd};
        }
    }

    /** FLOPs of LLaMA passes (2 × multiply-adds), as LlamaDecoder counts them for its thread choice. */
    static final class LlamaFlops {
        private LlamaFlops() {}

        /** A forward over {@code t} new tokens attending to {@code all} positions, batch {@code b}, LM head included. */
        static long forward(LlamaConfig c, long b, long t, long all) {
            long hd = c.headDim();
            long perLayer = (long) c.hiddenSize() * (c.heads() + 2L * c.kvHeads()) * hd + (long) c.heads() * hd
                    * c.hiddenSize() + 3L * c.hiddenSize() * c.intermediateSize() + 2L * c.heads() * hd * all;
            return 2 * b * t * (c.layers() * perLayer + (long) c.hiddenSize() * c.vocabSize());
        }
    }

    private JsonObject time(PrintWriter out, String name, String shape, String dtype, long flops,
            Supplier<NDArray> pass) {
        double[] s = new double[iterations];
        try (GradMode off = GradMode.disabled()) {
            for (int i = -1; i < iterations; i++) { // -1: warm-up
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    long t0 = System.nanoTime();
                    NDArray y = pass.get();
                    y.flatten().get(0).toType(DataType.FLOAT32, false).getFloat(); // waits for the device
                    if (i >= 0) {
                        s[i] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
        }
        Arrays.sort(s);
        double median = s[s.length / 2];
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("shape", shape);
        o.addProperty("dtype", dtype);
        o.addProperty("seconds_median", median);
        o.addProperty("seconds_min", s[0]);
        o.addProperty("iterations", iterations);
        if (flops > 0) {
            o.addProperty("flops", flops);
            o.addProperty("tflops", flops / median / 1e12);
            if (peakTflops > 0) {
                o.addProperty("peak_fraction", flops / median / 1e12 / peakTflops);
            }
        }
        out.printf("  %-20s %-60s %9.2f ms%s%n", name, shape, median * 1e3,
                flops > 0 ? String.format("  %.2f TFLOP/s", flops / median / 1e12) : "");
        return o;
    }

    private void write(JsonObject report) {
        org.infllava.io.AtomicFiles.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(report)
                + "\n");
    }
}
