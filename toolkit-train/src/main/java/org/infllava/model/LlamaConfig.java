package org.infllava.model;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;

/**
 * A Hugging Face {@code LlamaConfig}; defaults are Hugging Face's.
 *
 * @param vocabSize vocabulary size
 * @param hiddenSize width {@code d}
 * @param intermediateSize MLP width
 * @param layers decoder layers
 * @param heads query heads
 * @param kvHeads key/value heads (grouped-query attention when fewer than {@code heads})
 * @param rmsNormEps RMSNorm epsilon
 * @param ropeTheta RoPE base
 * @param ropeScaling {@code llama3} scaling, or {@code null}
 * @param maxPositions {@code max_position_embeddings}
 * @param tieWordEmbeddings whether {@code lm_head} shares {@code embed_tokens}
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
        float rmsNormEps, double ropeTheta, RopeScaling ropeScaling, int maxPositions, boolean tieWordEmbeddings) {

    /**
     * Llama 3's RoPE frequency scaling.
     *
     * @param factor how much the context was extended
     * @param lowFreqFactor wavelengths above {@code original/lowFreqFactor} are divided by {@code factor}
     * @param highFreqFactor wavelengths below {@code original/highFreqFactor} are kept
     * @param originalMaxPositions the original context length
     */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    /** Validates the cross-field constraints, naming the values. */
    public LlamaConfig {
        if (vocabSize < 1 || hiddenSize < 1 || intermediateSize < 1 || layers < 1 || heads < 1 || kvHeads < 1) {
            throw new IllegalArgumentException("LLaMA sizes must be positive: vocab_size=" + vocabSize
                    + " hidden_size=" + hiddenSize + " intermediate_size=" + intermediateSize + " num_hidden_layers="
                    + layers + " num_attention_heads=" + heads + " num_key_value_heads=" + kvHeads);
        }
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hidden_size % num_attention_heads must be 0, got hidden_size="
                    + hiddenSize + " num_attention_heads=" + heads);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads % num_key_value_heads must be 0, got "
                    + heads + " and " + kvHeads);
        }
        if ((hiddenSize / heads) % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for RoPE, got " + hiddenSize / heads);
        }
    }

    /** Per-head width. */
    public int headDim() {
        return hiddenSize / heads;
    }

    /** The Hugging Face {@code LlamaForCausalLM} {@code config.json} fields that {@link #fromJson} reads back. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        com.google.gson.JsonArray arch = new com.google.gson.JsonArray();
        arch.add("LlamaForCausalLM");
        o.add("architectures", arch);
        o.addProperty("model_type", "llama");
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("num_hidden_layers", layers);
        o.addProperty("num_attention_heads", heads);
        o.addProperty("num_key_value_heads", kvHeads);
        o.addProperty("hidden_act", "silu");
        o.addProperty("rms_norm_eps", rmsNormEps);
        o.addProperty("rope_theta", ropeTheta);
        if (ropeScaling != null) {
            JsonObject r = new JsonObject();
            r.addProperty("rope_type", "llama3");
            r.addProperty("factor", ropeScaling.factor());
            r.addProperty("low_freq_factor", ropeScaling.lowFreqFactor());
            r.addProperty("high_freq_factor", ropeScaling.highFreqFactor());
            r.addProperty("original_max_position_embeddings", ropeScaling.originalMaxPositions());
            o.add("rope_scaling", r);
        }
        o.addProperty("max_position_embeddings", maxPositions);
        o.addProperty("tie_word_embeddings", tieWordEmbeddings);
        return o;
    }

    /** Reads a {@code config.json}; unsupported settings are errors naming the field. */
    public static LlamaConfig fromJson(JsonObject json, Path source) {
        ConfigFields f = new ConfigFields(json, source);
        String act = f.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw f.error("hidden_act", "must be silu for LLaMA, got " + act);
        }
        RopeScaling scaling = null;
        JsonObject rs = f.object("rope_scaling");
        if (rs != null) {
            ConfigFields r = new ConfigFields(rs, source);
            String type = r.text("rope_type", r.text("type", ""));
            if (!type.equals("llama3")) {
                throw f.error("rope_scaling", "of type '" + type + "' is not supported (llama3 is)");
            }
            scaling = new RopeScaling(r.number("factor", 8), r.number("low_freq_factor", 1),
                    r.number("high_freq_factor", 4), r.integer("original_max_position_embeddings", 8192));
        }
        int heads = f.integer("num_attention_heads", 32);
        try {
            return new LlamaConfig(f.integer("vocab_size", 32000), f.integer("hidden_size", 4096),
                    f.integer("intermediate_size", 11008), f.integer("num_hidden_layers", 32), heads,
                    f.integer("num_key_value_heads", heads), (float) f.number("rms_norm_eps", 1e-6),
                    f.number("rope_theta", 10000), scaling, f.integer("max_position_embeddings", 2048),
                    f.bool("tie_word_embeddings", false));
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidInputException ? e : new InvalidInputException(source, e.getMessage());
        }
    }
}
