package org.infllava.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.ConstantInitializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.infllava.data.LlavaDataset;
import org.infllava.data.SampleEncoder;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.infllava.model.GradMode;

class TrainerTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static NDManager manager;

    @TempDir
    static Path dir;

    private static Path modelDir;
    private static Path dataFile;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager("PyTorch");
        modelDir = dir.resolve("model");
        TinyModels.writePublishedDir(GOLDEN, modelDir, manager, 3);
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.copy(GOLDEN.resolve("clip_image.png"), images.resolve("a.png"));
        Files.copy(GOLDEN.resolve("clip_image.png"), images.resolve("b.png"));
        dataFile = dir.resolve("train.jsonl");
        StringBuilder rows = new StringBuilder();
        String[][] answers = {{"a.png", "w10 w11 w12"}, {"b.png", "w20 w21"}, {"a.png", "w30 w31 w32 w33"},
            {"b.png", "w40"}, {"a.png", "w50 w51"}, {"b.png", "w60 w61 w62"}};
        for (int i = 0; i < answers.length; i++) {
            rows.append("{\"id\": \"s").append(i).append("\", \"image\": \"").append(answers[i][0])
                    .append("\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>\"}, {\"from\": \"gpt\", "
                            + "\"value\": \"").append(answers[i][1]).append("\"}]}\n");
        }
        Files.writeString(dataFile, rows);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private Trainer trainer(NDManager m, FreezePolicy freeze, int steps, Path runDir) {
        InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
        LlavaDataset data = LlavaDataset.load(dataFile, dir.resolve("images"), true);
        TextTokenizer tok = TextTokenizer.load(modelDir);
        SampleEncoder enc = new SampleEncoder(ChatTemplate.PLAIN, tok, 49, 128);
        TrainSettings s = new TrainSettings(7, steps, 2, 2, 5e-3, 0.1, 0.0, 0.0, 1.0, freeze, true, 0, 2, 100);
        return new Trainer(model, s, data, enc, m, runDir, new com.google.gson.JsonObject(),
                new PrintWriter(new StringWriter()));
    }

    /**
     * Hand values for peak 1e-3, 10 steps, warm-up ratio 0.2 (W = 2): lr(0) = 0, lr(1) = 5e-4, lr(2) = 1e-3;
     * lr(6): progress (6 − 2)/8 = 0.5, ½(1 + cos π/2) = 0.5 → 5e-4; lr(9): progress 7/8, ½(1 + cos 7π/8) = 0.038060
     * → 3.8060e-5; with a floor of 0.1, lr(6) = 1e-3·(0.1 + 0.9·0.5) = 5.5e-4.
     */
    @Test
    void learningRateFollowsWarmUpThenCosine() {
        LrSchedule s = LrSchedule.of(1e-3, 10, 0.2, 0.0);
        assertEquals(2, s.warmupSteps());
        assertEquals(0.0, s.at(0), 1e-12);
        assertEquals(5e-4, s.at(1), 1e-12);
        assertEquals(1e-3, s.at(2), 1e-12);
        assertEquals(5e-4, s.at(6), 1e-12);
        assertEquals(3.8060e-5, s.at(9), 1e-9);
        assertEquals(5.5e-4, LrSchedule.of(1e-3, 10, 0.2, 0.1).at(6), 1e-12);
    }

    private static Parameter param(NDManager m, String name, float... values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(values.length)).optInitializer(new ConstantInitializer(0)).build();
        p.initialize(m, DataType.FLOAT32);
        p.getArray().set(java.nio.FloatBuffer.wrap(values));
        p.getArray().setRequiresGradient(true);
        return p;
    }

    /** Gradients (3, 4) and (12): global norm 13; with max 6.5 every gradient halves: (1.5, 2) and (6). */
    @Test
    void clippingScalesByTheTrueGlobalNorm() {
        try (NDManager m = manager.newSubManager()) {
            Parameter a = param(m, "a", 1, 1);
            Parameter b = param(m, "b", 1);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = a.getArray().mul(m.create(new float[] {3, 4})).sum().add(b.getArray().mul(12).sum());
                gc.backward(loss);
            }
            double norm = GradientClipping.clipByGlobalNorm(List.of(a, b), 6.5);
            assertEquals(13.0, norm, 1e-5);
            assertArrayEquals(new float[] {1.5f, 2f}, a.getArray().getGradient().toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {6f}, b.getArray().getGradient().toFloatArray(), 1e-5f);
        }
    }

    /** Gradients (3e30, 4e30): the sum of squares overflows float, the norm 5e30 does not; clipped to norm 1. */
    @Test
    void clippingGivesTheTrueNormOfHugeGradients() {
        try (NDManager m = manager.newSubManager()) {
            Parameter a = param(m, "a", 1, 1);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(a.getArray().mul(m.create(new float[] {3e30f, 4e30f})).sum());
            }
            assertEquals(5e30, GradientClipping.clipByGlobalNorm(List.of(a), 1.0), 1e25);
            assertArrayEquals(new float[] {0.6f, 0.8f}, a.getArray().getGradient().toFloatArray(), 1e-5f);
        }
    }

    /**
     * One AdamW step by hand: p = 1, g = 0.5, lr 0.1, λ 0.01. Decay: 1 − 0.1·0.01 = 0.999. m = 0.05, v = 0.00025;
     * m̂ = 0.5, v̂ = 0.25, √v̂ = 0.5; p = 0.999 − 0.1·0.5/0.5 = 0.899.
     */
    @Test
    void adamWStepByHand() {
        try (NDManager m = manager.newSubManager()) {
            Parameter p = param(m, "p", 1);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.getArray().mul(0.5f).sum());
            }
            AdamW opt = new AdamW(Map.of("p", p), m, 0.9, 0.999, 1e-8, 0.01);
            opt.step(0.1);
            assertEquals(0.899f, p.getArray().toFloatArray()[0], 1e-6f);
            assertEquals(0f, p.getArray().getGradient().toFloatArray()[0], "gradient zeroed after the step");
            assertEquals(1, opt.stepCount());
        }
    }

    /**
     * Six AdamW steps against {@code torch.optim.AdamW}'s update written out in double precision (decay
     * {@code p ← p(1 − lr·λ)}, then {@code p ← p − lr·m̂/(√v̂ + ε)}), with gradients that change each step. The middle
     * elements have gradients of ~1e-7, where √v̂ is near ε: a kernel that added ε before the bias correction
     * ({@code √v + ε}) would move them ~4x less on the first step, so ε's place is checked, not only the large-gradient
     * regime. float32 takes the fused engine call, float64 the step-by-step form: both must agree with the formula.
     */
    @Test
    void adamWMatchesTorchsUpdateOverSteps() {
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            try (NDManager m = manager.newSubManager()) {
                double[] start = {1, -0.5, 0.25, 2, 0};
                Parameter p = Parameter.builder().setName("p").setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(start.length)).optInitializer(new ConstantInitializer(0)).build();
                p.initialize(m, type);
                p.getArray().set(m.create(start).toType(type, false).toByteBuffer());
                p.getArray().setRequiresGradient(true);
                double lr = 0.01;
                double decay = 0.1;
                AdamW opt = new AdamW(Map.of("p", p), m, 0.9, 0.999, 1e-8, decay);
                double[] want = start.clone();
                double[] mm = new double[start.length];
                double[] vv = new double[start.length];
                for (int t = 1; t <= 6; t++) {
                    double[] g = {0.5 * t, -0.3, 1e-7 * t, -2e-7, (t % 2 == 0 ? 1 : -1) * 0.1};
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(p.getArray().mul(m.create(g).toType(type, false)).sum());
                    }
                    opt.step(lr);
                    for (int i = 0; i < start.length; i++) {
                        double gi = type == DataType.FLOAT32 ? (float) g[i] : g[i];
                        want[i] *= 1 - lr * decay;
                        mm[i] = 0.9 * mm[i] + 0.1 * gi;
                        vv[i] = 0.999 * vv[i] + 0.001 * gi * gi;
                        double mHat = mm[i] / (1 - Math.pow(0.9, t));
                        double vHat = vv[i] / (1 - Math.pow(0.999, t));
                        want[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
                    }
                    double[] got = p.getArray().toType(DataType.FLOAT64, false).toDoubleArray();
                    for (int i = 0; i < start.length; i++) {
                        assertEquals(want[i], got[i], 2e-6, type + " step " + t + " element " + i);
                    }
                }
                assertEquals(0, p.getArray().getGradient().abs().sum().toType(DataType.FLOAT64, false).getDouble(),
                        type + ": gradient zeroed after the step");
            }
        }
    }

    /**
     * The same step on another thread whose autograd switch is on — every thread but the engine's starts so, and a
     * notebook kernel runs each cell on its own thread. In-place updates of leaves that require a gradient are
     * refused there unless the optimizer turns the switch off; afterwards the thread's switch is as it was.
     */
    @Test
    void adamWStepsOnAThreadWithAutogradOn() throws Exception {
        try (NDManager m = manager.newSubManager()) {
            Parameter p = param(m, "p", 1);
            float[] got = new float[1];
            boolean[] after = new boolean[1];
            Throwable[] failure = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    ai.djl.pytorch.jni.JniUtils.setGradMode(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(p.getArray().mul(0.5f).sum());
                    }
                    AdamW opt = new AdamW(Map.of("p", p), m, 0.9, 0.999, 1e-8, 0.01);
                    opt.step(0.1);
                    got[0] = p.getArray().toFloatArray()[0];
                    after[0] = GradMode.enabled();
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            t.start();
            t.join();
            if (failure[0] != null) {
                throw new AssertionError("AdamW on a thread with autograd on", failure[0]);
            }
            assertEquals(0.899f, got[0], 1e-6f);
            assertTrue(after[0], "the thread's autograd switch is restored");
        }
    }

    /** Stage 1 trains DEM and projector; CLIP and the LLM stay bit-for-bit unchanged; the loss falls. */
    @Test
    void frozenComponentsStayUnchangedAndLossFalls() {
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage1(), 12, dir.resolve("run-freeze"));
            Map<String, Parameter> all = Trainer.parameters(modelOf(t));
            Map<String, float[]> before = new LinkedHashMap<>();
            all.forEach((k, p) -> before.put(k, p.getArray().toFloatArray()));
            t.run(12);
            for (Map.Entry<String, Parameter> e : all.entrySet()) {
                boolean same = java.util.Arrays.equals(before.get(e.getKey()), e.getValue().getArray().toFloatArray());
                String c = e.getKey().substring(0, e.getKey().indexOf('.'));
                if (c.equals("vision") || c.equals("llm")) {
                    assertTrue(same, e.getKey() + " is frozen");
                }
            }
            assertFalse(java.util.Arrays.equals(before.get("projector.mm_projector.0.weight"),
                    all.get("projector.mm_projector.0.weight").getArray().toFloatArray()), "projector trains");
            List<Trainer.StepLog> h = t.history();
            float first = (h.get(0).loss() + h.get(1).loss()) / 2;
            float last = (h.get(10).loss() + h.get(11).loss()) / 2;
            assertTrue(last < 0.8f * first, "loss falls: " + first + " -> " + last);
            assertTrue(Files.exists(dir.resolve("run-freeze/metrics.jsonl")));
            assertTrue(Files.exists(dir.resolve("run-freeze/checkpoints/step-000012/optimizer.safetensors")));
        }
    }

    private static InfLlavaModel modelOf(Trainer t) {
        try {
            var f = Trainer.class.getDeclaredField("model");
            f.setAccessible(true);
            return (InfLlavaModel) f.get(t);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** N steps straight, and N/2 + checkpoint + resume + N/2 in a new trainer: every loss bit for bit. */
    @Test
    void resumeContinuesExactly() {
        float[] straight;
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage2(), 6, dir.resolve("run-straight"));
            t.run(6);
            straight = losses(t.history());
        }
        float[] split = new float[6];
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage2(), 6, dir.resolve("run-split"));
            t.run(3);
            System.arraycopy(losses(t.history()), 0, split, 0, 3);
        }
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage2(), 6, dir.resolve("run-split"));
            t.resume(dir.resolve("run-split"));
            assertEquals(3, t.step());
            t.run(6);
            System.arraycopy(losses(t.history()), 0, split, 3, 3);
        }
        assertArrayEquals(straight, split);
    }

    /**
     * A corrupted newest checkpoint is named and skipped, never loaded: the run resumes from the one before, drops the
     * metrics logged after it, and ends with the uninterrupted run's losses and weights, bit for bit.
     */
    @Test
    void resumeSkipsACorruptedCheckpointAndEndsIdentical() throws IOException {
        Path straightDir = dir.resolve("run-corrupt-straight");
        try (NDManager m = manager.newSubManager()) {
            trainer(m, FreezePolicy.stage2(), 6, straightDir).run(6);
        }
        Path runDir = dir.resolve("run-corrupt");
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage2(), 6, runDir);
            t.run(2);
            t.run(4);
            t.run(5); // keep_last 2: step-000004 and step-000005 remain; step 5 is then damaged
        }
        Path bad = runDir.resolve("checkpoints/step-000005/optimizer.safetensors");
        byte[] b = Files.readAllBytes(bad);
        b[b.length - 1] ^= 0x40;
        Files.write(bad, b);
        StringWriter log = new StringWriter();
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            Trainer t = new Trainer(model, new TrainSettings(7, 6, 2, 2, 5e-3, 0.1, 0.0, 0.0, 1.0,
                    FreezePolicy.stage2(), true, 0, 2, 100), LlavaDataset.load(dataFile, dir.resolve("images"), true),
                    new SampleEncoder(ChatTemplate.PLAIN, TextTokenizer.load(modelDir), 49, 128), m, runDir,
                    new com.google.gson.JsonObject(), new PrintWriter(log, true));
            t.resume(runDir);
            assertEquals(4, t.step(), "resumed from the checkpoint before the damaged one");
            assertTrue(log.toString().contains("skipping checkpoint " + runDir.resolve("checkpoints/step-000005")
                    + ": " + bad + ": SHA-256 "), log.toString());
            assertEquals(4, Files.readAllLines(runDir.resolve("metrics.jsonl")).size(), "step 5's line is dropped");
            t.run(6);
        }
        assertEquals(metricsWithoutTimes(straightDir), metricsWithoutTimes(runDir));
        assertArrayEquals(Files.readAllBytes(straightDir.resolve("checkpoints/step-000006/trainable.safetensors")),
                Files.readAllBytes(runDir.resolve("checkpoints/step-000006/trainable.safetensors")));
        assertArrayEquals(Files.readAllBytes(straightDir.resolve("checkpoints/step-000006/optimizer.safetensors")),
                Files.readAllBytes(runDir.resolve("checkpoints/step-000006/optimizer.safetensors")));
    }

    /** metrics.jsonl without the wall-clock field. */
    static List<String> metricsWithoutTimes(Path runDir) throws IOException {
        return Files.readAllLines(runDir.resolve("metrics.jsonl")).stream()
                .map(l -> l.replaceAll(",\"seconds\":[^,}]*", "")).toList();
    }

    private static float[] losses(List<Trainer.StepLog> h) {
        float[] out = new float[h.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = h.get(i).loss();
        }
        return out;
    }

    @Test
    void freezePatternsAndUnknownComponents() {
        assertEquals(Set.of("dem", "projector"), FreezePolicy.stage1().trainable());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FreezePolicy(Set.of("clip"), List.of()));
        assertTrue(e.getMessage().contains("unknown component 'clip'"), e.getMessage());
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, new FreezePolicy(Set.of("llm"), List.of("llm\\.model\\.embed_tokens.*")), 1,
                    dir.resolve("run-pattern"));
            assertFalse(t.trainable().containsKey("llm.model.embed_tokens.weight"));
            assertTrue(t.trainable().containsKey("llm.lm_head.weight"));
        }
    }

    /**
     * Regression: with garbage collections running all through forward and backward (a thread calling System.gc()),
     * every step's gradient norm stays ordinary. Before the scalar factors autograd keeps (1/√d in attention, the
     * loss normalisation, ...) lived in PyTorch-owned memory, this run gave norms of 1e24-1e33 and a NaN loss by
     * step 2-6 (DJL makes a Java number a tensor over a direct buffer that the collector frees).
     */
    @Test
    void gradientsStaySaneUnderGarbageCollectionPressure() throws InterruptedException {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread gcThread = new Thread(() -> {
            while (running.get()) {
                System.gc();
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        });
        gcThread.setDaemon(true);
        gcThread.start();
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage2(), 4, dir.resolve("run-gc"));
            t.run(4);
            for (Trainer.StepLog log : t.history()) {
                assertTrue(Double.isFinite(log.gradNorm()) && log.gradNorm() < 1e3, "step " + log.step() + " norm "
                        + log.gradNorm());
            }
        } finally {
            running.set(false);
            gcThread.join();
        }
    }

    /**
     * fp16 mixed precision: float16 working copies, float32 masters. The masters stay float32 and change, the frozen
     * tower does not, the losses are finite and fall, and they track the float32 run's within 0.05 (half precision
     * rounds each step differently).
     */
    @Test
    void mixedPrecisionTrainsFloat32MastersFromHalfPrecisionCopies() {
        float[] fp32;
        float[] fp16;
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage1(), 8, dir.resolve("run-fp32"));
            t.run(8);
            fp32 = losses(t.history());
        }
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage1(), 8, dir.resolve("run-fp16"));
            t.enableMixedPrecision(1024);
            Map<String, Parameter> all = Trainer.parameters(t.model());
            float[] visionBefore = all.get("vision.embeddings.class_embedding").getArray().toFloatArray();
            float[] projBefore = all.get("projector.mm_projector.0.weight").getArray().toFloatArray();
            t.run(8);
            fp16 = losses(t.history());
            assertEquals(8, fp16.length);
            for (int i = 0; i < 8; i++) {
                assertTrue(Float.isFinite(fp16[i]), "finite loss at step " + (i + 1));
                assertEquals(fp32[i], fp16[i], 0.05f, "step " + (i + 1) + " fp16 vs fp32");
            }
            assertTrue(fp16[7] < fp16[0], "loss falls: " + java.util.Arrays.toString(fp16));
            assertEquals(DataType.FLOAT32, all.get("projector.mm_projector.0.weight").getArray().getDataType());
            assertFalse(java.util.Arrays.equals(projBefore,
                    all.get("projector.mm_projector.0.weight").getArray().toFloatArray()), "masters update");
            assertArrayEquals(visionBefore, all.get("vision.embeddings.class_embedding").getArray().toFloatArray());
        }
        // Resume in fp16: masters, optimizer state and loss scale come back, the working copies follow them, and the
        // run continues exactly.
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage1(), 8, dir.resolve("run-fp16-split"));
            t.enableMixedPrecision(1024);
            t.run(4);
        }
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, FreezePolicy.stage1(), 8, dir.resolve("run-fp16-split"));
            t.enableMixedPrecision(1024);
            t.resume(dir.resolve("run-fp16-split"));
            t.run(8);
            // Exactly the uninterrupted fp16 run's last four losses.
            assertArrayEquals(java.util.Arrays.copyOfRange(fp16, 4, 8), losses(t.history()));
        }
    }
}
