package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;
import org.infllava.testing.Fixtures;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The LLM and vision families beyond LLaMA-3 / CLIP against the independent PyTorch script
 * src/test/resources/backbones/make_backbones.py (Hugging Face semantics restated in plain torch): LLaMA-2 without
 * GQA, Qwen2 (q/k/v biases, RoPE base 1e6, tied embeddings), Mistral with a sliding window of 4 on a 10-token prompt
 * plus 8 decoded tokens, and SigLIP (no class token, biased patch convolution, no pre-norm, gelu_pytorch_tanh). rtol
 * 1e-4, atol 1e-5 throughout.
 */
class BackbonesTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    static final Path DIR = Path.of("src/test/resources/backbones");

    @TempDir
    Path tmp;

    private static NDArray npy(NDManager m, String name) {
        return Fixtures.npy(m, DIR.resolve(name + ".npy"));
    }

    @Test
    void familiesAreReadFromConfigJson() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaConfig llama = LlamaDecoder.fromPretrained(DIR.resolve("llama2"), m).config();
            assertEquals(LlamaConfig.Family.LLAMA, llama.family());
            assertEquals(4, llama.kvHeads()); // num_key_value_heads absent: one key/value head per query head
            LlamaConfig qwen = LlamaDecoder.fromPretrained(DIR.resolve("qwen2"), m).config();
            assertEquals(LlamaConfig.Family.QWEN2, qwen.family());
            assertTrue(qwen.attentionBias() && qwen.tieWordEmbeddings());
            assertEquals(0, qwen.slidingWindow()); // sliding_window 4 is ignored: use_sliding_window is false
            assertEquals(1e6, qwen.ropeTheta());
            LlamaConfig mistral = LlamaDecoder.fromPretrained(DIR.resolve("mistral"), m).config();
            assertEquals(LlamaConfig.Family.MISTRAL, mistral.family());
            assertEquals(4, mistral.slidingWindow());
            assertEquals(ClipVisionConfig.Family.SIGLIP,
                    ClipVisionEncoder.fromPretrained(DIR.resolve("siglip"), m).config().family());
        }
        // Mistral without the field gets Hugging Face's default window; an explicit null means none.
        assertEquals(4096, LlamaConfig.fromJson(json("{\"model_type\": \"mistral\"}"), Path.of("c.json")).slidingWindow());
        assertEquals(0, LlamaConfig.fromJson(json("{\"model_type\": \"mistral\", \"sliding_window\": null}"),
                Path.of("c.json")).slidingWindow());
        // Without model_type the architecture decides.
        assertEquals(LlamaConfig.Family.QWEN2, LlamaConfig.fromJson(json("{\"architectures\": [\"Qwen2ForCausalLM\"]}"),
                Path.of("c.json")).family());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama2", "qwen2", "mistral"})
    void prefillLogitsEqualPyTorch(String family) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = LlamaDecoder.fromPretrained(DIR.resolve(family), m);
            NDArray logits = llm.logits(new ParameterStore(m, false), npy(m, family + "_ids"), null, null, null,
                    false); // (1, 10, 48)
            assertEquals(new Shape(1, 10, 48), logits.getShape());
            ModelTesting.assertClose(npy(m, family + "_logits").toFloatArray(), logits.toFloatArray(), 1e-4, 1e-5,
                    family + " logits");
        }
    }

    /**
     * Separate q/k/v projections (large-model path) and the mask built on the device (long-context path) give the
     * same logits as the fused, host-mask path the other tests use: Qwen2's biases and Mistral's window both ways.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "mistral"})
    void separateProjectionsAndDeviceMaskAgree(String family) {
        long fuse = LlamaDecoder.fuseWeightsMax;
        long host = LlamaDecoder.hostMaskMax;
        LlamaDecoder.fuseWeightsMax = 0;
        LlamaDecoder.hostMaskMax = 0;
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = LlamaDecoder.fromPretrained(DIR.resolve(family), m);
            NDArray logits = llm.logits(new ParameterStore(m, false), npy(m, family + "_ids"), null, null, null, false);
            ModelTesting.assertClose(npy(m, family + "_logits").toFloatArray(), logits.toFloatArray(), 1e-4, 1e-5,
                    family + " logits, separate projections, device mask");
        } finally {
            LlamaDecoder.fuseWeightsMax = fuse;
            LlamaDecoder.hostMaskMax = host;
        }
    }

    /**
     * Greedy decoding through the KV cache: each step's logits equal a full recompute and the 8 tokens equal the
     * script's (full recomputes in PyTorch). For Mistral the prompt (10) already exceeds the window (4), so every
     * decode step must hide all but the last 4 cached positions.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama2", "qwen2", "mistral"})
    void greedyDecodingThroughTheCacheEqualsPyTorch(String family) {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = LlamaDecoder.fromPretrained(DIR.resolve(family), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray seq = npy(m, family + "_ids"); // (1, 10)
            float[] tokens = new float[8];
            try (KvCache cache = new KvCache()) {
                NDArray logits = llm.logits(ps, seq, null, null, cache, false);
                for (int i = 0; i < 8; i++) {
                    NDArray full = llm.logits(ps, seq, null, null, null, false);
                    ModelTesting.assertClose(full.get(":, -1, :").toFloatArray(), logits.get(":, -1, :").toFloatArray(),
                            1e-4, 1e-5, family + " step " + i);
                    tokens[i] = logits.get(":, -1, :").argMax(-1).toLongArray()[0];
                    NDArray next = m.create(new float[] {tokens[i]}, new Shape(1, 1));
                    seq = seq.concat(next, 1);
                    logits = llm.logits(ps, next, null, null, cache, false);
                }
                assertEquals(18, cache.length());
            }
            assertArrayEquals(npy(m, family + "_greedy").toFloatArray(), tokens);
        }
    }

    /**
     * Left padding with a window: row 1 holds 3 pads then the first 7 prompt tokens (position ids 0..6). The window
     * counts sequence slots as Hugging Face's mask does, and padded slots are masked anyway, so row 1's real tokens
     * see exactly what the unpadded 7-token prefix sees: their logits are the script's first 7 rows (a causal model's
     * prefix logits do not depend on later tokens). Then one decode step for both rows through the cache (key mask
     * of the new column given) equals a full recompute of the padded batch.
     */
    @Test
    void leftPaddedMistralBatchDecodesThroughTheWindow() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = LlamaDecoder.fromPretrained(DIR.resolve("mistral"), m);
            ParameterStore ps = new ParameterStore(m, false);
            float[] prompt = npy(m, "mistral_ids").toFloatArray(); // 10 ids
            float[] ids = new float[20];
            float[] mask = new float[20];
            float[] pos = new float[20];
            for (int i = 0; i < 10; i++) {
                ids[i] = prompt[i];
                mask[i] = 1;
                pos[i] = i;
                boolean real = i >= 3;
                ids[10 + i] = real ? prompt[i - 3] : 0;
                mask[10 + i] = real ? 1 : 0;
                pos[10 + i] = real ? i - 3 : 1; // Hugging Face's pads: position 1
            }
            NDArray idArr = m.create(ids, new Shape(2, 10));
            NDArray maskArr = m.create(mask, new Shape(2, 10));
            NDArray posArr = m.create(pos, new Shape(2, 10));
            NDArray expected = npy(m, "mistral_logits"); // (10, 48)
            try (KvCache cache = new KvCache()) {
                NDArray logits = llm.logits(ps, idArr, maskArr, posArr, cache, false); // (2, 10, 48)
                ModelTesting.assertClose(expected.toFloatArray(), logits.get("0").toFloatArray(), 1e-4, 1e-5, "row 0");
                ModelTesting.assertClose(expected.get(":7").toFloatArray(), logits.get("1, 3:").toFloatArray(), 1e-4,
                        1e-5, "row 1 real tokens");
                NDArray next = m.create(new float[] {5, 6}, new Shape(2, 1));
                NDArray step = llm.logits(ps, next, m.ones(new Shape(2, 1)), m.create(new float[] {10, 7},
                        new Shape(2, 1)), cache, false); // (2, 1, 48)
                NDArray full = llm.logits(ps, idArr.concat(next, 1), maskArr.concat(m.ones(new Shape(2, 1)), 1),
                        posArr.concat(m.create(new float[] {10, 7}, new Shape(2, 1)), 1), null, false);
                ModelTesting.assertClose(full.get(":, -1:, :").toFloatArray(), step.toFloatArray(), 1e-4, 1e-5,
                        "decode step past the window with a key mask");
            }
        }
    }

    /** The window is real: the same Mistral weights without it give other logits beyond position 4. */
    @Test
    void mistralWithoutItsWindowDiffers() throws IOException {
        Path copy = copy("mistral");
        set(copy, "sliding_window", "null");
        try (NDManager m = PYTORCH.get().newSubManager()) {
            float[] full = LlamaDecoder.fromPretrained(copy, m).logits(new ParameterStore(m, false),
                    npy(m, "mistral_ids"), null, null, null, false).toFloatArray();
            float[] windowed = npy(m, "mistral_logits").toFloatArray();
            float maxDiffEarly = 0;
            float maxDiffLate = 0;
            for (int i = 0; i < full.length; i++) {
                float diff = Math.abs(full[i] - windowed[i]);
                if (i < 4 * 48) {
                    maxDiffEarly = Math.max(maxDiffEarly, diff); // positions 0..3 see at most 4 keys either way
                } else {
                    maxDiffLate = Math.max(maxDiffLate, diff);
                }
            }
            assertTrue(maxDiffEarly < 1e-4, "early positions " + maxDiffEarly);
            assertTrue(maxDiffLate > 1e-2, "late positions " + maxDiffLate);
        }
    }

    @Test
    void siglipHiddenStatesAndLastHiddenStateEqualPyTorch() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            for (String dir : new String[] {"siglip", "siglip_full"}) {
                ClipVisionEncoder enc = ClipVisionEncoder.fromPretrained(DIR.resolve(dir), m);
                assertFalse(enc.namedParameters().keySet().stream().anyMatch(k -> k.startsWith("head.")
                        || k.contains("class_embedding") || k.contains("pre_layrnorm")), enc.namedParameters().keySet()
                        .toString());
                ParameterStore ps = new ParameterStore(m, false);
                NDArray pixels = npy(m, "siglip_pixels"); // (2, 3, 16, 16)
                NDArray expected = npy(m, "siglip_hidden_states"); // (3, 2, 16, 32): embeddings, layer 1, layer 2
                var states = enc.hiddenStates(ps, pixels, 2, false);
                for (int i = 0; i <= 2; i++) {
                    assertEquals(new Shape(2, 16, 32), states.get(i).getShape()); // 4×4 patches, no class token
                    ModelTesting.assertClose(expected.get(i).toFloatArray(), states.get(i).toFloatArray(), 1e-4, 1e-5,
                            dir + " hidden_states[" + i + "]");
                }
                ModelTesting.assertClose(npy(m, "siglip_last_hidden_state").toFloatArray(),
                        enc.lastHiddenState(ps, pixels, false).toFloatArray(), 1e-4, 1e-5, dir + " last_hidden_state");
                // LLaVA's patch features are every token of hidden_states[-2]: nothing is dropped.
                NDArray patch = enc.features(ps, pixels, -2, ClipVisionEncoder.SelectFeature.PATCH, false);
                ModelTesting.assertClose(expected.get(1).toFloatArray(), patch.toFloatArray(), 1e-4, 1e-5, "patch");
                IllegalArgumentException cls = assertThrows(IllegalArgumentException.class, () -> enc.features(ps,
                        pixels, -2, ClipVisionEncoder.SelectFeature.CLS_PATCH, false));
                assertTrue(cls.getMessage().contains("siglip_vision_model tower does not have"), cls.getMessage());
                assertThrows(IllegalStateException.class, () -> enc.pooled(ps, pixels, false));
            }
        }
    }

    @Test
    void unknownModelTypesAndActivationsAreRefusedNamingFileFieldAndValue() throws IOException {
        // {fixture, field, new JSON value, expected field text, expected value text}
        String[][] llmCases = {
            {"mistral", "model_type", "\"qwen3\"", "field 'model_type'", "'qwen3' is not a supported LLM"},
            {"mistral", "hidden_act", "\"gelu\"", "field 'hidden_act'", "'gelu' is not implemented for mistral"},
            {"llama2", "hidden_act", "\"relu\"", "field 'hidden_act'", "'relu' is not implemented for llama"},
            {"mistral", "architectures", "[\"Qwen2ForCausalLM\"]", "field 'architectures'",
                "'Qwen2ForCausalLM' contradicts model_type 'mistral'"},
            {"qwen2", "use_sliding_window", "true", "field 'use_sliding_window'", "true is not implemented for qwen2"},
            {"llama2", "attention_bias", "true", "field 'attention_bias'", "true is not implemented for llama"},
            {"mistral", "head_dim", "16", "field 'head_dim'", "16 is not implemented"},
        };
        for (String[] c : llmCases) {
            Path d = copy(c[0]);
            set(d, c[1], c[2]);
            InvalidInputException e;
            try (NDManager m = PYTORCH.get().newSubManager()) {
                e = assertThrows(InvalidInputException.class, () -> LlamaDecoder.fromPretrained(d, m));
            }
            assertTrue(e.getMessage().startsWith(d.resolve("config.json") + ": " + c[3]) && e.getMessage().contains(c[4]),
                    e.getMessage());
        }
        // Without model_type, an unknown architecture is refused.
        Path arch = copy("mistral");
        set(arch, "model_type", null);
        set(arch, "architectures", "[\"Gemma2ForCausalLM\"]");
        InvalidInputException unknownArch = assertThrows(InvalidInputException.class, () -> LlamaConfig.fromJson(
                configOf(arch), arch.resolve("config.json")));
        assertTrue(unknownArch.getMessage().contains("field 'architectures' 'Gemma2ForCausalLM' is not a supported LLM"),
                unknownArch.getMessage());

        String[][] visionCases = {
            {"siglip", "model_type", "\"dinov2\"", "field 'model_type'", "'dinov2' is not a supported vision tower"},
            {"siglip", "hidden_act", "\"relu\"", "field 'hidden_act'", "'relu' is not implemented"},
            {"siglip_full", "vision_config.hidden_act", "\"swish\"", "field 'vision_config.hidden_act'",
                "'swish' is not implemented"},
            {"siglip_full", "vision_config.model_type", "\"clip_vision_model\"", "field 'vision_config.model_type'",
                "'clip_vision_model' contradicts model_type 'siglip'"},
        };
        for (String[] c : visionCases) {
            Path d = copy(c[0]);
            set(d, c[1], c[2]);
            InvalidInputException e;
            try (NDManager m = PYTORCH.get().newSubManager()) {
                e = assertThrows(InvalidInputException.class, () -> ClipVisionEncoder.fromPretrained(d, m));
            }
            assertTrue(e.getMessage().startsWith(d.resolve("config.json") + ": " + c[3]) && e.getMessage().contains(c[4]),
                    e.getMessage());
        }
    }

    /**
     * A LLaVA model on Qwen2 + SigLIP and one on Mistral + CLIP: the builder takes them, SigLIP's features keep all
     * g² tokens with SigLIP's image statistics, and a saved directory records the families and loads back to the
     * same visual tokens and logits.
     */
    @Test
    void llavaOnQwen2AndSiglipSavesAndLoads() throws IOException {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ClipVisionEncoder siglip = ClipVisionEncoder.fromPretrained(DIR.resolve("siglip"), m);
            LlamaDecoder qwen = LlamaDecoder.fromPretrained(DIR.resolve("qwen2"), m);
            MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, 32, 32);
            projector.initialize(m, 5);
            InfLlavaModel model = InfLlavaModel.builder().setVisionEncoder(siglip).setLlm(qwen).setProjector(projector)
                    .build();
            ParameterStore ps = new ParameterStore(m, false);
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(DIR.resolve("siglip_image.png").toFile());
            NDArray tokens = model.visualTokens(ps, m, image, false);
            assertEquals(new Shape(1, 16, 32), tokens.getShape()); // 4×4 patches: no class token to drop
            // The one padded 16×16 view of a 16×16 image is the image itself; normalised with SigLIP's 0.5 / 0.5
            // its features[-2] are the script's.
            ModelTesting.assertClose(npy(m, "siglip_image_features_layer-2").toFloatArray(),
                    model.visualFeatures(ps, m, image, false).toFloatArray(), 1e-4, 1e-5, "siglip image features");
            IllegalArgumentException cls = assertThrows(IllegalArgumentException.class, () -> InfLlavaModel.builder()
                    .setVisionEncoder(siglip).setLlm(qwen).setProjector(projector)
                    .optSelectFeature(ClipVisionEncoder.SelectFeature.CLS_PATCH).build());
            assertTrue(cls.getMessage().contains("class token"), cls.getMessage());

            Path tok = tmp.resolve("tokenizer.json");
            Files.copy(ModelTesting.GOLDEN.resolve("llama/tokenizer.json"), tok);
            Path saved = tmp.resolve("saved");
            model.save(saved, tok, "plain");
            JsonObject cfg = JsonParser.parseString(Files.readString(saved.resolve("config.json"))).getAsJsonObject();
            assertEquals("llava_qwen", cfg.get("model_type").getAsString());
            assertEquals("LlavaQwenForCausalLM", cfg.getAsJsonArray("architectures").get(0).getAsString());
            assertEquals("siglip_vision_model", JsonParser.parseString(Files.readString(saved.resolve(
                    "vision/config.json"))).getAsJsonObject().get("model_type").getAsString());
            InfLlavaModel back = InfLlavaModel.fromPretrained(saved, null, m);
            assertEquals(LlamaConfig.Family.QWEN2, back.llm().config().family());
            assertEquals(ClipVisionConfig.Family.SIGLIP, back.vision().config().family());
            ModelTesting.assertClose(tokens.toFloatArray(), back.visualTokens(ps, m, image, false).toFloatArray(), 1e-6,
                    1e-7, "visual tokens after the round trip");
            ModelTesting.assertClose(npy(m, "qwen2_logits").toFloatArray(), back.llm().logits(ps, npy(m, "qwen2_ids"),
                    null, null, null, false).toFloatArray(), 1e-4, 1e-5, "qwen2 logits after the round trip");

            // Mistral + CLIP: the window survives the round trip.
            ClipVisionEncoder clip = ClipVisionEncoder.fromPretrained(ModelTesting.GOLDEN.resolve("clip_vision"), m);
            LlamaDecoder mistral = LlamaDecoder.fromPretrained(DIR.resolve("mistral"), m);
            InfLlavaModel mc = InfLlavaModel.builder().setVisionEncoder(clip).setLlm(mistral).setProjector(projector)
                    .build();
            Path saved2 = tmp.resolve("saved2");
            mc.save(saved2, tok, "plain");
            LlamaDecoder back2 = InfLlavaModel.fromPretrained(saved2, null, m).llm();
            assertEquals(LlamaConfig.Family.MISTRAL, back2.config().family());
            assertEquals(4, back2.config().slidingWindow());
        }
    }

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static JsonObject configOf(Path dir) throws IOException {
        return json(Files.readString(dir.resolve("config.json")));
    }

    /** Sets {@code field} (dotted: inside an object) of dir/config.json to a JSON value, or removes it for null. */
    static void set(Path dir, String field, String value) throws IOException {
        JsonObject c = configOf(dir);
        JsonObject o = c;
        String[] parts = field.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            o = o.getAsJsonObject(parts[i]);
        }
        if (value == null) {
            o.remove(parts[parts.length - 1]);
        } else {
            o.add(parts[parts.length - 1], JsonParser.parseString(value));
        }
        Files.writeString(dir.resolve("config.json"), c.toString());
    }

    private Path copy(String name) throws IOException {
        Path d = Files.createTempDirectory(tmp, name);
        try (var s = Files.list(DIR.resolve(name))) {
            for (Path p : s.toList()) {
                Files.copy(p, d.resolve(p.getFileName()));
            }
        }
        return d;
    }
}
