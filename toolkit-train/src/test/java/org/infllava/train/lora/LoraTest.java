package org.infllava.train.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.model.LlamaDecoder;
import org.infllava.nn.NamedBlock;
import org.infllava.testing.Close;
import org.infllava.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA against the independent goldens of {@code src/test/resources/lora/make_lora.py} (plain PyTorch restating
 * LlamaForCausalLM and PEFT's LoRA Linear): a tiny LLaMA, a PEFT adapter on its seven Linear kinds with random
 * non-zero B (r 4, alpha 8: scale 2), and the logits with and without it.
 */
class LoraTest {

    static final Path FIX = Path.of("src/test/resources/lora");
    private static NDManager manager;
    private static long[] ids;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
        try (NDArray a = Fixtures.npy(manager, FIX.resolve("ids.npy"))) {
            float[] f = a.toFloatArray();
            ids = new long[f.length];
            for (int i = 0; i < f.length; i++) {
                ids[i] = (long) f[i];
            }
        }
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    static LlamaDecoder base(NDManager m) {
        return LlamaDecoder.fromPretrained(FIX.resolve("llama"), m);
    }

    static float[] logits(LlamaDecoder dec, NDManager m) {
        return dec.logits(new ParameterStore(m, false), m.create(ids, new Shape(1, ids.length)), null, null, null,
                false).toFloatArray(); // (1, T, V)
    }

    private static float[] golden(String name) {
        try (NDArray a = Fixtures.npy(manager, FIX.resolve(name + ".npy"))) {
            return a.toFloatArray();
        }
    }

    private static boolean anyAdapter(NamedBlock b) {
        return b.linearModules().values().stream().anyMatch(d -> NamedBlock.adapter(d.weight()) != null);
    }

    /** The toolkit loading the PEFT adapter reproduces the independent logits; detached, the base's come back. */
    @Test
    void peftAdapterMatchesIndependentLogits() {
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            float[] before = logits(dec, m);
            Close.assertClose(golden("logits_base"), before, 1e-4, 1e-5, "base logits");
            Lora lora = Lora.load(FIX.resolve("adapter"), Map.of("llm", dec), m);
            assertEquals(4, lora.config().rank());
            assertEquals(2.0, lora.config().scale(), 0.0); // lora_alpha 8 / r 4
            assertEquals(2 * 7 * 2, lora.parameters().size(), "A and B of 7 layers in each of 2 layers");
            float[] adapted = logits(dec, m);
            Close.assertClose(golden("logits_adapter"), adapted, 1e-4, 1e-5, "logits with the adapter");
            // the adapter matters: far more than the tolerance
            assertTrue(maxAbsDiff(golden("logits_base"), adapted) > 0.1);
            assertTrue(dec.namedParameters().containsKey("model.layers.1.mlp.down_proj.lora_B.weight"));
            lora.detach();
            assertFalse(anyAdapter(dec));
            assertFalse(dec.namedParameters().keySet().stream().anyMatch(k -> k.contains("lora_")));
            assertArrayEquals(before, logits(dec, m), "detached: the base is untouched");
        }
    }

    /** Merging folds W + scale·B·A into the base: the same function without adapters (1e-5). */
    @Test
    void mergedEqualsUnmerged() {
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            Lora lora = Lora.load(FIX.resolve("adapter"), Map.of("llm", dec), m);
            float[] unmerged = logits(dec, m);
            lora.merge();
            assertFalse(anyAdapter(dec));
            assertFalse(dec.namedParameters().keySet().stream().anyMatch(k -> k.contains("lora_")));
            Close.assertClose(unmerged, logits(dec, m), 1e-5, 1e-5, "merged vs unmerged");
            assertThrows(IllegalStateException.class, lora::merge);
        }
    }

    /**
     * {@code mergeInto} by hand: W = [[1, 2], [3, 4]], A = [[1, −1]] (r 1), B = [[2], [0.5]], scale 3:
     * B·A = [[2, −2], [0.5, −0.5]], W + 3·B·A = [[7, −4], [4.5, 2.5]].
     */
    @Test
    void mergeIsWPlusScaleBA() {
        try (NDManager m = manager.newSubManager()) {
            NDArray w = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            Lora.mergeInto(w, m.create(new float[] {1, -1}, new Shape(1, 2)), m.create(new float[] {2, 0.5f},
                    new Shape(2, 1)), 3f);
            assertArrayEquals(new float[] {7, -4, 4.5f, 2.5f}, w.toFloatArray(), 1e-6f);
        }
    }

    /** Saved here and loaded into a fresh base: bit-identical outputs; the files have PEFT's layout (the fixture's). */
    @Test
    void saveReloadIsIdenticalAndPeftShaped() throws IOException {
        Path out = tmp.resolve("saved-adapter");
        float[] first;
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            Lora lora = Lora.load(FIX.resolve("adapter"), Map.of("llm", dec), m);
            first = logits(dec, m);
            lora.save(out, "tiny-llama");
        }
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            Lora.load(out, Map.of("llm", dec), m);
            assertArrayEquals(first, logits(dec, m));
        }
        Map<String, HostTensor> theirs = SafeTensors.read(FIX.resolve("adapter/adapter_model.safetensors"));
        Map<String, HostTensor> ours = SafeTensors.read(out.resolve("adapter_model.safetensors"));
        assertEquals(theirs.keySet(), ours.keySet());
        theirs.forEach((k, t) -> assertEquals(t, ours.get(k), k)); // HostTensor equality: shape and every value
        JsonObject a = JsonParser.parseString(Files.readString(FIX.resolve("adapter/adapter_config.json")))
                .getAsJsonObject();
        JsonObject b = JsonParser.parseString(Files.readString(out.resolve("adapter_config.json"))).getAsJsonObject();
        for (String k : List.of("peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "target_modules", "bias",
                "base_model_name_or_path")) {
            assertEquals(a.get(k), b.get(k), k);
        }
        assertEquals(Set.of(), Set.copyOf(List.of(out.toFile().list())).stream()
                .filter(n -> n.endsWith(".tmp")).collect(java.util.stream.Collectors.toSet()), "no temporary files");
    }

    /**
     * A fresh adapter changes nothing (B = 0) and A is PEFT's kaiming_uniform_(a = √5): U(±1/√in), here
     * 1/√32 = 0.1768 for the d = 32 inputs and 1/√48 = 0.1443 for down_proj.
     */
    @Test
    void freshAdapterIsZeroAndInitialisedAsPeft() {
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            float[] before = logits(dec, m);
            LoraConfig c = LoraConfig.builder().setRank(8).optAlpha(16).optTargetNames(List.of("q_proj", "v_proj",
                    "down_proj")).build();
            Lora lora = Lora.attach(c, Map.of("llm", dec), m, 11);
            assertEquals(2 * 3 * 2, lora.parameters().size());
            assertFalse(lora.parameters().keySet().stream().anyMatch(k -> k.contains("k_proj")));
            for (Map.Entry<String, Parameter> e : lora.parameters().entrySet()) {
                float[] v = e.getValue().getArray().toFloatArray();
                if (e.getKey().endsWith("lora_B.weight")) {
                    assertArrayEquals(new float[v.length], v, e.getKey());
                } else {
                    double bound = 1 / Math.sqrt(e.getKey().contains("down_proj") ? 48 : 32);
                    double max = 0;
                    for (float x : v) {
                        max = Math.max(max, Math.abs(x));
                    }
                    assertTrue(max <= bound && max > 0.8 * bound, e.getKey() + ": max |A| " + max + " vs " + bound);
                }
            }
            Close.assertClose(before, logits(dec, m), 1e-6, 1e-6, "a fresh adapter adds zero");
            lora.detach();
        }
    }

    /** PEFT's target rules: names match the path or its last components; a regex must match the whole path. */
    @Test
    void targetsFollowPeftRules() {
        LoraConfig names = LoraConfig.builder().setRank(2).optTargetNames(List.of("q_proj", "mlp.up_proj")).build();
        assertTrue(names.matches("model.layers.0.self_attn.q_proj"));
        assertTrue(names.matches("model.layers.3.mlp.up_proj"));
        assertFalse(names.matches("model.layers.0.self_attn.xq_proj"));
        LoraConfig regex = LoraConfig.builder().setRank(2).optTargetRegex(".*\\.(q_proj|v_proj)").build();
        assertTrue(regex.matches("model.layers.0.self_attn.v_proj"));
        assertFalse(LoraConfig.builder().setRank(2).optTargetRegex("q_proj|v_proj").build()
                .matches("model.layers.0.self_attn.v_proj"), "fullmatch, as PEFT");
        LoraConfig all = LoraConfig.builder().setRank(2).optTargetNames(List.of(LoraConfig.ALL_LINEAR)).build();
        assertTrue(all.matches("model.layers.0.mlp.down_proj"));
        assertFalse(all.matches("lm_head"));
        LoraConfig preset = LoraConfig.llavaStage2();
        assertEquals(128, preset.rank());
        assertEquals(2.0, preset.scale(), 0.0); // 256 / 128
        assertEquals(0.05, preset.dropout(), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoraConfig.builder().setRank(0).optDropout(1.0).build());
        assertTrue(e.getMessage().contains("rank=0") && e.getMessage().contains("dropout=1.0"), e.getMessage());
    }

    private static Path copyAdapter(String name) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.copy(FIX.resolve("adapter/adapter_config.json"), d.resolve("adapter_config.json"));
        Files.copy(FIX.resolve("adapter/adapter_model.safetensors"), d.resolve("adapter_model.safetensors"));
        return d;
    }

    private static InvalidInputException refused(Path adapter) {
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> Lora.load(adapter, Map.of("llm", dec), m));
            assertFalse(anyAdapter(dec), "nothing attached after a refusal");
            assertFalse(dec.namedParameters().keySet().stream().anyMatch(k -> k.contains("lora_")));
            return e;
        }
    }

    @Test
    void refusesAnotherPeftType() throws IOException {
        Path d = copyAdapter("bad-type");
        Files.writeString(d.resolve("adapter_config.json"), Files.readString(d.resolve("adapter_config.json"))
                .replace("\"LORA\"", "\"IA3\""));
        InvalidInputException e = refused(d);
        assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains("peft_type")
                && e.getMessage().contains("IA3"), e.getMessage());
    }

    @Test
    void refusesAModuleTheBaseLacks() throws IOException {
        Path d = copyAdapter("bad-module");
        Map<String, HostTensor> t = new LinkedHashMap<>(SafeTensors.read(d.resolve("adapter_model.safetensors")));
        t.put("base_model.model.model.layers.5.self_attn.q_proj.lora_A.weight", new HostTensor(new long[] {4, 32},
                new float[128]));
        t.put("base_model.model.model.layers.5.self_attn.q_proj.lora_B.weight", new HostTensor(new long[] {32, 4},
                new float[128]));
        SafeTensors.write(d.resolve("adapter_model.safetensors"), t, Map.of());
        InvalidInputException e = refused(d);
        assertTrue(e.getMessage().contains("adapter_model.safetensors")
                && e.getMessage().contains("base_model.model.model.layers.5.self_attn.q_proj.lora_A.weight"),
                e.getMessage());
    }

    /** An adapter for a base with d = 48: lora_A of q_proj is (4, 48) where this base needs (4, 32). */
    @Test
    void refusesShapesOfAnotherBase() throws IOException {
        Path d = copyAdapter("bad-shape");
        Map<String, HostTensor> t = new LinkedHashMap<>(SafeTensors.read(d.resolve("adapter_model.safetensors")));
        t.put("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", new HostTensor(new long[] {4, 48},
                new float[192]));
        SafeTensors.write(d.resolve("adapter_model.safetensors"), t, Map.of());
        InvalidInputException e = refused(d);
        String msg = e.getMessage();
        assertTrue(msg.contains("adapter_model.safetensors")
                && msg.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                && msg.contains(HostTensor.shapeText(new long[] {4, 32}))
                && msg.contains(HostTensor.shapeText(new long[] {4, 48})), msg);
    }

    @Test
    void refusesUnsupportedPeftOptions() throws IOException {
        Path d = copyAdapter("bad-dora");
        Files.writeString(d.resolve("adapter_config.json"), Files.readString(d.resolve("adapter_config.json"))
                .replace("\"use_dora\": false", "\"use_dora\": true"));
        InvalidInputException e = refused(d);
        assertTrue(e.getMessage().contains("use_dora"), e.getMessage());
    }

    /**
     * An adapter made here (regex targets, r 8, non-zero B) saved, reloaded into a fresh base: bit-identical logits.
     * The adapter and its logits stay under target/lora-check for the independent reader:
     * {@code /usr/bin/python3 src/test/resources/lora/make_lora.py check target/lora-check/adapter
     * target/lora-check/logits.npy} recomputes the logits from the files with PEFT's math.
     */
    @Test
    void adapterMadeHereRoundTrips() throws IOException {
        Path check = Files.createDirectories(Path.of("target/lora-check"));
        float[] made;
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            LoraConfig c = LoraConfig.builder().setRank(8).optAlpha(4)
                    .optTargetRegex("model\\.layers\\.\\d+\\.(self_attn\\.(q|v|o)_proj|mlp\\.down_proj)").build();
            Lora lora = Lora.attach(c, Map.of("llm", dec), m, 21);
            assertEquals(2 * 4 * 2, lora.parameters().size());
            ai.djl.engine.Engine.getInstance().setRandomSeed(4);
            for (Map.Entry<String, Parameter> e : lora.parameters().entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) { // as if trained
                    e.getValue().getArray().set(m.randomNormal(0, 0.3f, e.getValue().getShape(),
                            ai.djl.ndarray.types.DataType.FLOAT32).toFloatArray());
                }
            }
            made = logits(dec, m);
            assertTrue(maxAbsDiff(golden("logits_base"), made) > 0.1, "the adapter matters");
            lora.save(check.resolve("adapter"), "tiny-llama");
            org.infllava.io.NpyArrays.writeFloat32(check.resolve("logits.npy"), made, ids.length, made.length
                    / ids.length);
        }
        try (NDManager m = manager.newSubManager()) {
            LlamaDecoder dec = base(m);
            Lora back = Lora.load(check.resolve("adapter"), Map.of("llm", dec), m);
            assertEquals(0.5, back.config().scale(), 0.0); // 4 / 8
            assertArrayEquals(made, logits(dec, m));
        }
    }

    /**
     * Adapters on the CLIP tower (component {@code vision}, {@code all-linear}: q, k, v, out_proj, fc1, fc2 of each of
     * its 3 layers) under LLaVA's module path; non-zero B changes the features; save → reload is bit-identical and
     * merged equals unmerged (1e-5).
     */
    @Test
    void visionTowerAdaptersUseLlavaPathsAndRoundTrip() {
        Path golden = Path.of("src/test/resources/golden");
        Path out = tmp.resolve("vision-adapter");
        float[] adapted;
        try (NDManager m = manager.newSubManager()) {
            org.infllava.model.ClipVisionEncoder enc = org.infllava.model.ClipVisionEncoder.fromPretrained(
                    golden.resolve("clip_vision"), m);
            NDArray pixels = Fixtures.npy(m, golden.resolve("clip_pixels.npy")); // (2, 3, 28, 28)
            ParameterStore ps = new ParameterStore(m, false);
            float[] before = enc.pooled(ps, pixels, false).toFloatArray();
            LoraConfig c = LoraConfig.builder().setRank(2).optAlpha(4).optTargetNames(List.of(LoraConfig.ALL_LINEAR))
                    .optComponents(Set.of("vision")).build();
            Lora lora = Lora.attach(c, Map.of("vision", enc), m, 8);
            assertEquals(3 * 6 * 2, lora.parameters().size());
            assertTrue(lora.parameters().containsKey("base_model.model.model.vision_tower.vision_tower.vision_model."
                    + "encoder.layers.0.self_attn.q_proj.lora_A.weight"), lora.parameters().keySet().toString());
            ai.djl.engine.Engine.getInstance().setRandomSeed(2);
            for (Map.Entry<String, Parameter> e : lora.parameters().entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) {
                    e.getValue().getArray().set(m.randomNormal(0, 0.3f, e.getValue().getShape(),
                            ai.djl.ndarray.types.DataType.FLOAT32).toFloatArray());
                }
            }
            adapted = enc.pooled(ps, pixels, false).toFloatArray();
            assertTrue(maxAbsDiff(before, adapted) > 0.01, "the adapter matters");
            lora.save(out, "clip");
            lora.merge();
            Close.assertClose(adapted, enc.pooled(ps, pixels, false).toFloatArray(), 1e-5, 1e-5, "merged vs unmerged");
        }
        try (NDManager m = manager.newSubManager()) {
            org.infllava.model.ClipVisionEncoder enc = org.infllava.model.ClipVisionEncoder.fromPretrained(
                    golden.resolve("clip_vision"), m);
            Lora back = Lora.load(out, Map.of("llm", base(m), "vision", enc), m);
            assertEquals(Set.of("vision"), back.config().components());
            NDArray pixels = Fixtures.npy(m, golden.resolve("clip_pixels.npy"));
            assertArrayEquals(adapted, enc.pooled(new ParameterStore(m, false), pixels, false).toFloatArray());
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
