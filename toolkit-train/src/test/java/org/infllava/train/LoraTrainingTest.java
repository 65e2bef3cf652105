package org.infllava.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.infllava.data.LlavaDataset;
import org.infllava.data.SampleEncoder;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.HostTensor;
import org.infllava.io.SafeTensors;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.TinyModels;
import org.infllava.train.lora.Lora;
import org.infllava.train.lora.LoraConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stage 2 with LoRA on the tiny published model: what trains, what stays, and exact resume with dropout. */
class LoraTrainingTest {

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

    /** A stage-2 LoRA trainer: adapters r 8, alpha 16 on every Linear layer of the LLM, DEM and projector fully. */
    private Trainer trainer(NDManager m, double dropout, int steps, Path runDir) {
        InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
        LoraConfig c = LoraConfig.builder().setRank(8).optAlpha(16).optDropout(dropout).build();
        Lora lora = Lora.attach(c, model, m, 5);
        LlavaDataset data = LlavaDataset.load(dataFile, dir.resolve("images"), true);
        SampleEncoder enc = new SampleEncoder(ChatTemplate.PLAIN, TextTokenizer.load(modelDir), 49, 128);
        FreezePolicy freeze = FreezePolicy.withAdapters(FreezePolicy.stage2(), c.components());
        TrainSettings s = new TrainSettings(7, steps, 2, 2, 5e-3, 0.1, 0.0, 0.0, 1.0, freeze, true, 0, 2, 100);
        Trainer t = new Trainer(model, s, data, enc, m, runDir, new com.google.gson.JsonObject(),
                new PrintWriter(new StringWriter()));
        t.setLora(lora, modelDir.toString());
        return t;
    }

    /**
     * 12 steps: the loss falls; the optimiser holds exactly the adapters, the DEM and the projector; every base
     * weight of the LLM and the tower is bit-identical afterwards; every B left zero.
     */
    @Test
    void onlyAdaptersAndProjectorTrainAndLossFalls() {
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, 0.05, 12, dir.resolve("run-lora"));
            Map<String, Parameter> all = Trainer.parameters(t.model());
            for (String k : t.trainable().keySet()) {
                assertTrue(k.startsWith("dem.") || k.startsWith("projector.") || k.matches("llm\\..*\\.lora_[AB]\\.weight"),
                        "trainable: " + k);
            }
            assertEquals(2 * 7 * 2, t.trainable().keySet().stream().filter(k -> k.contains(".lora_")).count(),
                    "A and B of 7 layers in each of the 2 LLM layers");
            Map<String, float[]> before = new LinkedHashMap<>();
            all.forEach((k, p) -> before.put(k, p.getArray().toFloatArray()));
            t.run(12);
            for (Map.Entry<String, Parameter> e : all.entrySet()) {
                boolean same = Arrays.equals(before.get(e.getKey()), e.getValue().getArray().toFloatArray());
                boolean base = (e.getKey().startsWith("llm.") || e.getKey().startsWith("vision."))
                        && !e.getKey().contains(".lora_");
                if (base) {
                    assertTrue(same, e.getKey() + " is a frozen base weight");
                } else if (e.getKey().contains(".lora_B.")) {
                    assertFalse(same, e.getKey() + " trains");
                }
            }
            assertFalse(Arrays.equals(before.get("projector.mm_projector.0.weight"),
                    all.get("projector.mm_projector.0.weight").getArray().toFloatArray()), "projector trains");
            List<Trainer.StepLog> h = t.history();
            float first = (h.get(0).loss() + h.get(1).loss()) / 2;
            float last = (h.get(10).loss() + h.get(11).loss()) / 2;
            assertTrue(last < 0.8f * first, "loss falls: " + first + " -> " + last);
        }
    }

    /**
     * With dropout 0.1 on the adapters: 4 steps straight equal 2 + checkpoint + resume + 2 bit for bit; the
     * checkpoint is also a PEFT adapter directory that loads back to the trained values.
     */
    @Test
    void resumeWithAdaptersIsExactAndCheckpointsArePeftAdapters() {
        float[] straight;
        Map<String, HostTensor> trained;
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, 0.1, 4, dir.resolve("lora-straight"));
            t.run(4);
            straight = losses(t.history());
        }
        float[] split = new float[4];
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, 0.1, 4, dir.resolve("lora-split"));
            t.run(2);
            System.arraycopy(losses(t.history()), 0, split, 0, 2);
        }
        try (NDManager m = manager.newSubManager()) {
            Trainer t = trainer(m, 0.1, 4, dir.resolve("lora-split"));
            t.resume(dir.resolve("lora-split"));
            assertEquals(2, t.step());
            t.run(4);
            System.arraycopy(losses(t.history()), 0, split, 2, 2);
            trained = new LinkedHashMap<>();
            t.trainable().forEach((k, p) -> trained.put(k, new HostTensor(p.getShape().getShape(),
                    p.getArray().toFloatArray())));
        }
        assertArrayEquals(straight, split);
        Path ckpt = dir.resolve("lora-split/checkpoints/step-000004");
        Map<String, HostTensor> saved = SafeTensors.read(ckpt.resolve(Lora.WEIGHTS_FILE));
        assertEquals(28, saved.size());
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            Lora back = Lora.load(ckpt, model, m);
            assertEquals(Set.of("llm"), back.config().components());
            assertEquals(0.1, back.config().dropout(), 0.0);
            Map<String, Parameter> llm = model.llm().namedParameters();
            for (Map.Entry<String, HostTensor> e : trained.entrySet()) {
                if (e.getKey().contains(".lora_")) {
                    String name = e.getKey().substring("llm.".length());
                    assertArrayEquals(e.getValue().data(), llm.get(name).getArray().toFloatArray(), name);
                }
            }
        }
    }

    /** A parameter group's own peak: p = 1, g = 0.5, lr 0.1 × factor 0.5, no decay: p = 1 − 0.05·m̂/√v̂ = 0.95. */
    @Test
    void lrFactorScalesOneParameter() {
        try (NDManager m = manager.newSubManager()) {
            Parameter p = Parameter.builder().setName("p").setType(Parameter.Type.WEIGHT).optShape(new Shape(1))
                    .optInitializer(new ConstantInitializer(1)).build();
            Parameter q = Parameter.builder().setName("q").setType(Parameter.Type.WEIGHT).optShape(new Shape(1))
                    .optInitializer(new ConstantInitializer(1)).build();
            p.initialize(m, DataType.FLOAT32);
            q.initialize(m, DataType.FLOAT32);
            p.getArray().setRequiresGradient(true);
            q.getArray().setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.getArray().mul(0.5f).sum().add(q.getArray().mul(0.5f).sum()));
            }
            Map<String, Parameter> ps = new LinkedHashMap<>();
            ps.put("p", p);
            ps.put("q", q);
            AdamW opt = new AdamW(ps, m, 0.9, 0.999, 1e-8, 0.0);
            opt.setLrFactor("p", 0.5);
            opt.step(0.1);
            assertEquals(0.95f, p.getArray().toFloatArray()[0], 1e-6f);
            assertEquals(0.9f, q.getArray().toFloatArray()[0], 1e-6f);
        }
    }

    /**
     * The {@code lora} block: the LLaVA preset (r 128, alpha 256, dropout 0.05, projector lr 2e-5, run lr 2e-4) with
     * r overridden; the freeze policy trains the LLM's adapters only, and the projector fully.
     */
    @Test
    void runConfigLoraBlock() throws IOException {
        Path f = dir.resolve("lora-run.json");
        Files.writeString(f, """
                {"stage": 2, "model": {"vision": {"dir": "v"}, "llm": {"dir": "l"}}, "data": {"file": "d.jsonl"},
                 "lora": {"preset": "llava-1.5", "r": 16}}
                """);
        RunConfig c = RunConfig.load(f);
        assertEquals(16, c.lora().config().rank());
        assertEquals(256.0, c.lora().config().alpha(), 0.0);
        assertEquals(0.05, c.lora().config().dropout(), 0.0);
        assertEquals(2e-5, c.lora().projectorLr(), 0.0);
        assertEquals(2e-4, c.train().lr(), 0.0);
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (String n : List.of("llm.model.layers.0.self_attn.q_proj.weight",
                "llm.model.layers.0.self_attn.q_proj.lora_A.weight", "llm.model.layers.0.self_attn.q_proj.lora_B.weight",
                "llm.model.embed_tokens.weight", "projector.mm_projector.0.weight", "vision.encoder.layers.0.mlp.fc1.weight")) {
            Parameter p = Parameter.builder().setName(n).setType(Parameter.Type.WEIGHT).optShape(new Shape(1))
                    .optInitializer(new ConstantInitializer(0)).build();
            p.initialize(manager, DataType.FLOAT32);
            params.put(n, p);
        }
        assertEquals(List.of("llm.model.layers.0.self_attn.q_proj.lora_A.weight",
                "llm.model.layers.0.self_attn.q_proj.lora_B.weight", "projector.mm_projector.0.weight"),
                List.copyOf(c.train().freeze().apply(params).keySet()));
        Files.writeString(f, """
                {"model": {"vision": {"dir": "v"}, "llm": {"dir": "l"}}, "data": {"file": "d.jsonl"},
                 "lora": {"alpha": 16}}
                """);
        org.infllava.io.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.infllava.io.InvalidInputException.class, () -> RunConfig.load(f));
        assertTrue(e.getMessage().contains("field 'lora.r' is required without a preset"), e.getMessage());
    }

    private static float[] losses(List<Trainer.StepLog> h) {
        float[] out = new float[h.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = h.get(i).loss();
        }
        return out;
    }
}
