package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.infllava.io.InvalidInputException;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CLIPVisionModel semantics against the independent PyTorch implementation; rtol 1e-4, atol 1e-5. */
class ClipVisionEncoderTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    @Test
    void everyHiddenStateAndThePooledOutputMatchPyTorch() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ClipVisionEncoder enc = ClipVisionEncoder.fromPretrained(ModelTesting.GOLDEN.resolve("clip_vision"), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray pixels = ModelTesting.npy(m, "clip_pixels"); // (2, 3, 28, 28)
            List<NDArray> states = enc.hiddenStates(ps, pixels, 3, false);
            NDArray expected = ModelTesting.npy(m, "clip_hidden_states"); // (4, 2, 50, 32)
            assertEquals(4, states.size());
            for (int i = 0; i < 4; i++) {
                ModelTesting.assertClose(expected.get(i).toFloatArray(), states.get(i).toFloatArray(), 1e-4, 1e-5,
                        "hidden_states[" + i + "]");
            }
            ModelTesting.assertClose(ModelTesting.npy(m, "clip_pooled").toFloatArray(),
                    enc.pooled(ps, pixels, false).toFloatArray(), 1e-4, 1e-5, "pooler_output");
            // select layer -2 = hidden_states[2] (4 states for 3 layers), patch tokens drop the class token.
            NDArray f = enc.features(ps, pixels, -2, ClipVisionEncoder.SelectFeature.PATCH, false);
            assertEquals(new Shape(2, 49, 32), f.getShape());
            ModelTesting.assertClose(expected.get("2, :, 1:, :").toFloatArray(), f.toFloatArray(), 1e-4, 1e-5, "-2 patch");
            assertEquals(new Shape(2, 50, 32),
                    enc.features(ps, pixels, -1, ClipVisionEncoder.SelectFeature.CLS_PATCH, false).getShape());
        }
    }

    @Test
    void aFullClipDirectoryLoadsTheSameTower() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray pixels = ModelTesting.npy(m, "clip_pixels");
            float[] a = ClipVisionEncoder.fromPretrained(ModelTesting.GOLDEN.resolve("clip_vision"), m)
                    .features(ps, pixels, -2, ClipVisionEncoder.SelectFeature.PATCH, false).toFloatArray();
            float[] b = ClipVisionEncoder.fromPretrained(ModelTesting.GOLDEN.resolve("clip_full"), m)
                    .features(ps, pixels, -2, ClipVisionEncoder.SelectFeature.PATCH, false).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
        }
    }

    @Test
    void configValidationNamesTheFields() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClipVisionConfig(30, 64, 2, 4, 3, 28, 4, "quick_gelu", 1e-5f));
        assertTrue(e.getMessage().contains("hidden_size=30 num_attention_heads=4"), e.getMessage());
        com.google.gson.JsonObject bad = com.google.gson.JsonParser.parseString(
                "{\"hidden_size\": 32, \"num_attention_heads\": 4, \"hidden_act\": \"relu\"}").getAsJsonObject();
        InvalidInputException ie = assertThrows(InvalidInputException.class,
                () -> ClipVisionConfig.fromJson(bad, java.nio.file.Path.of("x/config.json")));
        assertTrue(ie.getMessage().startsWith("x/config.json: ") && ie.getMessage().contains("relu"), ie.getMessage());
    }

    /**
     * The fused q/k/v matmul (small weights: this 32-wide tower, checked against PyTorch above) and the separate
     * projections give the same hidden states and the same gradient for each projection's weight and bias.
     */
    @Test
    void fusedAndSeparateProjectionsGiveTheSameStatesAndGradients() {
        try (NDManager m = PYTORCH.get().newSubManager()) {
            ClipVisionEncoder enc = ClipVisionEncoder.fromPretrained(ModelTesting.GOLDEN.resolve("clip_vision"), m);
            NDArray pixels = ModelTesting.npy(m, "clip_pixels"); // (2, 3, 28, 28)
            java.util.Map<String, ai.djl.nn.Parameter> params = enc.namedParameters();
            List<String> names = List.of("encoder.layers.0.self_attn.q_proj.weight",
                    "encoder.layers.0.self_attn.k_proj.bias", "encoder.layers.1.self_attn.v_proj.weight");
            float[][] fused = statesAndGradients(m, enc, pixels, params, names);
            long before = LlamaDecoder.fuseWeightsMax;
            LlamaDecoder.fuseWeightsMax = 0;
            float[][] separate;
            try {
                separate = statesAndGradients(m, enc, pixels, params, names);
            } finally {
                LlamaDecoder.fuseWeightsMax = before;
            }
            for (int i = 0; i < fused.length; i++) {
                String what = i == 0 ? "hidden_states[3]" : names.get(i - 1);
                // Values agree to 1e-5; gradients (sums over every position of Σ out², whose terms round differently in
                // the two matmul layouts) to 1e-3: a mixed-up or missing gradient would be off by O(1).
                ModelTesting.assertClose(separate[i], fused[i], i == 0 ? 1e-5 : 1e-3, i == 0 ? 1e-6 : 1e-5, what);
                float[] f = fused[i];
                assertTrue(java.util.stream.IntStream.range(0, f.length).anyMatch(j -> f[j] != 0), what + " is all zero");
            }
        }
    }

    private static float[][] statesAndGradients(NDManager m, ClipVisionEncoder enc, NDArray pixels,
            java.util.Map<String, ai.djl.nn.Parameter> params, List<String> names) {
        names.forEach(n -> params.get(n).getArray().setRequiresGradient(true));
        float[][] out = new float[names.size() + 1][];
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray last = enc.hiddenStates(new ParameterStore(m, false), pixels, 3, true).get(3);
            out[0] = last.toFloatArray();
            gc.backward(last.square().sum());
        }
        for (int i = 0; i < names.size(); i++) {
            NDArray g = params.get(names.get(i)).getArray().getGradient();
            out[i + 1] = g.toFloatArray();
            g.subi(g);
        }
        return out;
    }
}
