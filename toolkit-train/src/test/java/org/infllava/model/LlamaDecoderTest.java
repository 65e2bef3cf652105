package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * LlamaForCausalLM semantics (RMSNorm, GQA 4 query / 2 key-value heads, RoPE θ = 5e5 with llama3 scaling, causal and
 * padding masks) against the independent PyTorch implementation; rtol 1e-4, atol 1e-5.
 */
class LlamaDecoderTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    @TempDir
    Path dir;

    private static LlamaDecoder load(NDManager m, String name) {
        return LlamaDecoder.fromPretrained(ModelTesting.GOLDEN.resolve(name), m);
    }

    @Test
    void shardedCheckpointGivesPyTorchLogits() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = load(m, "llama");
            NDArray logits = llm.logits(new ParameterStore(m, false), ModelTesting.npy(m, "llama_ids"), null, null,
                    null, false); // (1, 12, 96)
            assertEquals(new Shape(1, 12, 96), logits.getShape());
            ModelTesting.assertClose(ModelTesting.npy(m, "llama_logits").toFloatArray(), logits.toFloatArray(), 1e-4,
                    1e-5, "logits");
        }
    }

    /**
     * RoPE bands of the fixture (head_dim 16, θ = 5e5, factor 8, low 1, high 4, original 64): index 0 has wavelength
     * 2π ≈ 6.28 < 64/4 = 16, kept (1.0); index 1 has θ^(−2/16) = 0.193923, wavelength 32.400 between 16 and 64,
     * smoothed: s = (64/32.400 − 1)/(4 − 1) = 0.325094, f = (1 − s)·0.193923/8 + s·0.193923 = 0.079403; index 2 has
     * wavelength 167.08 > 64, divided by 8: θ^(−4/16)/8 = 0.0376060/8 = 0.0047008.
     */
    @Test
    void llama3RopeScalingHitsAllThreeBands() {
        LlamaConfig c = LlamaConfig.fromJson(com.google.gson.JsonParser.parseString(
                "{\"vocab_size\": 96, \"hidden_size\": 64, \"num_attention_heads\": 4, \"num_key_value_heads\": 2,"
                        + " \"rope_theta\": 500000.0, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                        + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                        + " \"original_max_position_embeddings\": 64}}").getAsJsonObject(), Path.of("config.json"));
        float[] f = LlamaDecoder.inverseFrequencies(c);
        assertEquals(1.0f, f[0], 1e-7f);
        assertEquals(0.079403f, f[1], 2e-6f);
        assertEquals(0.0047008f, f[2], 1e-7f);
    }

    /** Left padding: the real tokens of row 1 sit at positions 3..9 with position ids 0..6 (HF generate convention). */
    @Test
    void leftPaddedBatchMatchesPyTorchOnRealTokens() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = load(m, "llama");
            NDArray ids = ModelTesting.npy(m, "llama_batch_ids");
            NDArray mask = ModelTesting.npy(m, "llama_batch_mask");
            NDArray pos = mask.cumSum(1).sub(1).maximum(0f).mul(mask).add(mask.neg().add(1f)); // cumsum-1, pads 1
            NDArray logits = llm.logits(new ParameterStore(m, false), ids, mask, pos, null, false);
            NDArray expected = ModelTesting.npy(m, "llama_batch_logits");
            ModelTesting.assertClose(expected.get("0").toFloatArray(), logits.get("0").toFloatArray(), 1e-4, 1e-5, "row 0");
            ModelTesting.assertClose(expected.get("1, 3:").toFloatArray(), logits.get("1, 3:").toFloatArray(), 1e-4,
                    1e-5, "row 1 real tokens");
        }
    }

    @Test
    void kvCacheDecodingEqualsFullRecomputeAndPyTorchGreedy() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = load(m, "llama");
            ParameterStore ps = new ParameterStore(m, false);
            NDArray prompt = ModelTesting.npy(m, "llama_ids"); // (1, 12)
            float[] expected = ModelTesting.npy(m, "llama_greedy").toFloatArray(); // 8 tokens
            float[] cached = new float[8];
            float[] full = new float[8];
            NDArray seq = prompt;
            try (KvCache cache = new KvCache()) {
                NDArray logits = llm.logits(ps, prompt, null, null, cache, false);
                for (int i = 0; i < 8; i++) {
                    long next = logits.get(":, -1, :").argMax(-1).toLongArray()[0];
                    cached[i] = next;
                    NDArray fullLogits = llm.logits(ps, seq, null, null, null, false);
                    full[i] = fullLogits.get(":, -1, :").argMax(-1).toLongArray()[0];
                    // The cached step's last logits equal the full recompute's last logits.
                    ModelTesting.assertClose(fullLogits.get(":, -1, :").toFloatArray(),
                            logits.get(":, -1, :").toFloatArray(), 1e-4, 1e-5, "step " + i);
                    NDArray tok = m.create(new float[] {next}, new Shape(1, 1));
                    seq = seq.concat(tok, 1);
                    logits = llm.logits(ps, tok, null, null, cache, false);
                }
                assertEquals(20, cache.length());
            }
            assertArrayEquals(expected, cached);
            assertArrayEquals(expected, full);
        }
    }

    /** BF16 shards are widened in Java (upper 16 bits of float32) to exactly the values PyTorch used. */
    @Test
    void bf16CheckpointLoadsToTheSameValuesAsPyTorch() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            NDArray logits = load(m, "llama_bf16").logits(new ParameterStore(m, false), ModelTesting.npy(m, "llama_ids"),
                    null, null, null, false);
            ModelTesting.assertClose(ModelTesting.npy(m, "llama_bf16_logits").toFloatArray(), logits.toFloatArray(),
                    1e-4, 1e-5, "bf16 logits");
        }
    }

    private Path copyOfLlama() throws IOException {
        Path copy = dir.resolve("llama");
        Files.createDirectories(copy);
        try (var s = Files.list(ModelTesting.GOLDEN.resolve("llama"))) {
            for (Path p : s.toList()) {
                Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        return copy;
    }

    @Test
    void badCheckpointsGiveNamedErrors() throws IOException {
        Path copy = copyOfLlama();
        Path shard2 = copy.resolve("model-00002-of-00002.safetensors");
        Map<String, HostTensor> tensors = new java.util.LinkedHashMap<>(SafeTensors.read(shard2));
        try (NDManager m = PYTORCH.get().newSubManager()) {
            // Wrong shape.
            tensors.put("model.norm.weight", new HostTensor(new long[] {32}, new float[32]));
            SafeTensors.write(shard2, tensors, Map.of());
            InvalidInputException shape = assertThrows(InvalidInputException.class, () -> LlamaDecoder.fromPretrained(copy, m));
            assertTrue(shape.getMessage().contains("model-00002-of-00002.safetensors: key 'model.norm.weight': expected "
                    + "shape (64,), found (32,)"), shape.getMessage());
            // Missing key: the index still lists it, the shard no longer has it.
            tensors.remove("model.norm.weight");
            SafeTensors.write(shard2, tensors, Map.of());
            InvalidInputException missing = assertThrows(InvalidInputException.class, () -> LlamaDecoder.fromPretrained(copy, m));
            assertTrue(missing.getMessage().contains("missing key 'model.norm.weight'"), missing.getMessage());
            // Truncated shard.
            byte[] all = Files.readAllBytes(copy.resolve("model-00001-of-00002.safetensors"));
            Files.write(copy.resolve("model-00001-of-00002.safetensors"), java.util.Arrays.copyOf(all, all.length / 2));
            InvalidInputException cut = assertThrows(InvalidInputException.class, () -> LlamaDecoder.fromPretrained(copy, m));
            assertTrue(cut.getMessage().contains("model-00001-of-00002.safetensors") && cut.getMessage().contains(
                    "truncated"), cut.getMessage());
            // A shard named by the index is gone.
            Files.delete(copy.resolve("model-00001-of-00002.safetensors"));
            InvalidInputException gone = assertThrows(InvalidInputException.class, () -> LlamaDecoder.fromPretrained(copy, m));
            assertTrue(gone.getMessage().contains("shard 'model-00001-of-00002.safetensors'"), gone.getMessage());
        }
    }

    @Test
    void configValidationNamesTheFields() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LlamaConfig(96, 64, 128, 2, 4, 3, 1e-5f, 1e4, null, 256, false));
        assertTrue(e.getMessage().contains("num_attention_heads % num_key_value_heads must be 0, got 4 and 3"),
                e.getMessage());
        InvalidInputException rope = assertThrows(InvalidInputException.class, () -> LlamaConfig.fromJson(
                com.google.gson.JsonParser.parseString("{\"rope_scaling\": {\"type\": \"yarn\"}}").getAsJsonObject(),
                Path.of("m/config.json")));
        assertTrue(rope.getMessage().contains("m/config.json: field 'rope_scaling'") && rope.getMessage().contains("yarn"),
                rope.getMessage());
    }

    @Test
    void projectorMatchesPyTorch() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            MlpProjector p = new MlpProjector(MlpProjector.Type.MLP2X_GELU, 32, 64);
            p.initialize(m, 0);
            Map<String, HostTensor> w = SafeTensors.read(ModelTesting.GOLDEN.resolve("projector.safetensors"));
            p.namedParameters().forEach((k, par) -> par.getArray().set(java.nio.FloatBuffer.wrap(w.get(k).data())));
            NDArray out = p.project(new ParameterStore(m, false), ModelTesting.npy(m, "projector_in"), false);
            ModelTesting.assertClose(ModelTesting.npy(m, "projector_out").toFloatArray(), out.toFloatArray(), 1e-4,
                    1e-5, "mlp2x_gelu");
            assertEquals(DataType.FLOAT32, out.getDataType());
        }
    }

    /** The embedding gradient of Σ embed(ids) for ids (3, 5, 3): row 3 gets 2, row 5 gets 1, every other row 0. */
    @Test
    void embeddingGradientCountsEachOccurrence() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = load(m, "llama");
            ai.djl.nn.Parameter table = llm.namedParameters().get("model.embed_tokens.weight");
            table.getArray().setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                gc.backward(llm.embed(new ParameterStore(m, false), m.create(new long[] {3, 5, 3}, new Shape(1, 3)),
                        true).sum());
            }
            float[] g = table.getArray().getGradient().toFloatArray(); // (96, 64)
            for (int row = 0; row < 96; row++) {
                float want = row == 3 ? 2f : row == 5 ? 1f : 0f;
                for (int c = 0; c < 64; c++) {
                    assertEquals(want, g[row * 64 + c], "row " + row + " column " + c);
                }
            }
        }
    }

    /**
     * The fused q/k/v matmul (small weights, used by every golden test above) and the separate projections give the
     * same logits and the same gradient for each of q_proj, k_proj and v_proj: the fusion is a concatenation in the
     * graph, the parameters stay separate. Tolerances 1e-5 (values) and 1e-3 (gradients): the two differ only in how matmuls round.
     */
    @Test
    void fusedAndSeparateProjectionsGiveTheSameLogitsAndGradients() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = load(m, "llama");
            NDArray ids = ModelTesting.npy(m, "llama_ids"); // (1, 12)
            Map<String, ai.djl.nn.Parameter> params = llm.namedParameters();
            List<String> names = List.of("model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
                    "model.layers.1.self_attn.v_proj.weight");
            float[][] fused = logitsAndGradients(m, llm, ids, params, names);
            long before = LlamaDecoder.fuseWeightsMax;
            LlamaDecoder.fuseWeightsMax = 0;
            float[][] separate;
            try {
                separate = logitsAndGradients(m, llm, ids, params, names);
            } finally {
                LlamaDecoder.fuseWeightsMax = before;
            }
            for (int i = 0; i < fused.length; i++) {
                String what = i == 0 ? "logits" : names.get(i - 1);
                // Values agree to 1e-5; gradients (sums over every position of Σ out², whose terms round differently in
                // the two matmul layouts) to 1e-3: a mixed-up or missing gradient would be off by O(1).
                ModelTesting.assertClose(separate[i], fused[i], i == 0 ? 1e-5 : 1e-3, i == 0 ? 1e-6 : 1e-5, what);
                float[] f = fused[i];
                assertTrue(java.util.stream.IntStream.range(0, f.length).anyMatch(j -> f[j] != 0),
                        what + " is all zero: equality would prove nothing");
            }
        }
    }

    /**
     * {@code forward(..., from)}: the logits of positions {@code from..T−1} equal that slice of the full forward, and
     * a loss on them gives every parameter the gradient it gets from the same loss on the full output's slice (a
     * weight of the first and of the last layer, and the embeddings); with a key mask too. Tolerances as above.
     */
    @Test
    void logitsFromAPositionEqualTheSliceAndGiveTheSameGradients() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            LlamaDecoder llm = load(m, "llama");
            NDArray ids = ModelTesting.npy(m, "llama_ids"); // (1, 12)
            Map<String, ai.djl.nn.Parameter> params = llm.namedParameters();
            List<String> names = List.of("model.layers.0.self_attn.q_proj.weight",
                    "model.layers.1.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight",
                    "model.embed_tokens.weight");
            long t = ids.getShape().get(1);
            for (NDArray mask : java.util.Arrays.asList(null, m.ones(new ai.djl.ndarray.types.Shape(1, t)))) {
                for (long from : new long[] {1, 7, t - 1}) {
                    float[][] full = slicedLogitsAndGradients(m, llm, ids, mask, params, names, from, false);
                    float[][] part = slicedLogitsAndGradients(m, llm, ids, mask, params, names, from, true);
                    for (int i = 0; i < full.length; i++) {
                        String what = (i == 0 ? "logits" : names.get(i - 1)) + " from " + from;
                        ModelTesting.assertClose(full[i], part[i], i == 0 ? 1e-5 : 1e-3, i == 0 ? 1e-6 : 1e-5, what);
                        float[] f = part[i];
                        assertTrue(java.util.stream.IntStream.range(0, f.length).anyMatch(j -> f[j] != 0),
                                what + " is all zero: equality would prove nothing");
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> llm.forward(new ParameterStore(m, false),
                    llm.embed(new ParameterStore(m, false), ids, false), null, null, null, false, t));
        }
    }

    /** Logits of positions {@code from..} (sliced from the full output, or computed alone) and the gradients of Σ logits². */
    private static float[][] slicedLogitsAndGradients(NDManager m, LlamaDecoder llm, NDArray ids, NDArray mask,
            Map<String, ai.djl.nn.Parameter> params, List<String> names, long from, boolean alone) {
        names.forEach(n -> params.get(n).getArray().setRequiresGradient(true));
        float[][] out = new float[names.size() + 1][];
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = llm.embed(ps, ids, true);
            NDArray logits = alone ? llm.forward(ps, x, mask, null, null, true, from)
                    : llm.forward(ps, x, mask, null, null, true).get(":, " + from + ":, :");
            out[0] = logits.toFloatArray();
            gc.backward(logits.square().sum());
        }
        for (int i = 0; i < names.size(); i++) {
            NDArray g = params.get(names.get(i)).getArray().getGradient();
            out[i + 1] = g.toFloatArray();
            g.subi(g);
        }
        return out;
    }

    /** Logits of Σ logits² and the gradients of {@code names}, gradients cleared afterwards. */
    static float[][] logitsAndGradients(NDManager m, LlamaDecoder llm, NDArray ids,
            Map<String, ai.djl.nn.Parameter> params, List<String> names) {
        names.forEach(n -> params.get(n).getArray().setRequiresGradient(true));
        float[][] out = new float[names.size() + 1][];
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray logits = llm.logits(new ParameterStore(m, false), ids, null, null, null, true);
            out[0] = logits.toFloatArray();
            gc.backward(logits.square().sum());
        }
        for (int i = 0; i < names.size(); i++) {
            NDArray g = params.get(names.get(i)).getArray().getGradient();
            out[i + 1] = g.toFloatArray();
            g.subi(g); // clear for the next pass
        }
        return out;
    }
}
