package org.infllava.model;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;

/**
 * A Hugging Face decoder-only LLM {@code config.json}: LLaMA (LLaMA-2/3, Vicuna), Mistral or Qwen2, one record with the
 * family and its options; defaults are Hugging Face's for the family. The families share the decoder (RMSNorm, RoPE,
 * grouped-query attention, SwiGLU) and differ only in what the options say:
 *
 * <ul>
 *   <li>{@link Family#LLAMA}: no attention bias, full causal attention;
 *   <li>{@link Family#MISTRAL}: full causal attention, or a sliding window when {@code sliding_window} is set (query
 *       {@code i} sees keys {@code i − window < j ≤ i});
 *   <li>{@link Family#QWEN2}: biases on the q, k and v projections (none on o), full causal attention
 *       ({@code use_sliding_window: true} is refused, see {@link #fromJson}).
 * </ul>
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
 * @param family the model family ({@code model_type} on disk)
 * @param slidingWindow attention window in tokens (Mistral's {@code sliding_window}); 0 for full causal attention
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
        float rmsNormEps, double ropeTheta, RopeScaling ropeScaling, int maxPositions, boolean tieWordEmbeddings,
        Family family, int slidingWindow) {

    /** The decoder families the toolkit implements, with their Hugging Face names. */
    public enum Family {
        /** {@code LlamaForCausalLM}. */
        LLAMA("llama", "LlamaForCausalLM", "llava_llama", "LlavaLlamaForCausalLM"),
        /** {@code MistralForCausalLM}. */
        MISTRAL("mistral", "MistralForCausalLM", "llava_mistral", "LlavaMistralForCausalLM"),
        /** {@code Qwen2ForCausalLM}. */
        QWEN2("qwen2", "Qwen2ForCausalLM", "llava_qwen", "LlavaQwenForCausalLM");

        private final String modelType;
        private final String architecture;
        private final String llavaModelType;
        private final String llavaArchitecture;

        Family(String modelType, String architecture, String llavaModelType, String llavaArchitecture) {
            this.modelType = modelType;
            this.architecture = architecture;
            this.llavaModelType = llavaModelType;
            this.llavaArchitecture = llavaArchitecture;
        }

        /** {@code config.json}'s {@code model_type}. */
        public String modelType() {
            return modelType;
        }

        /** {@code config.json}'s {@code architectures} entry. */
        public String architecture() {
            return architecture;
        }

        /** The {@code model_type} of a LLaVA model on this LLM (LLaVA's and LLaVA-NeXT's names). */
        public String llavaModelType() {
            return llavaModelType;
        }

        /** The {@code architectures} entry of a LLaVA model on this LLM. */
        public String llavaArchitecture() {
            return llavaArchitecture;
        }

        /** The family a {@code model_type} names (plain or LLaVA-wrapped), or {@code null}. */
        static Family ofModelType(String type) {
            for (Family f : values()) {
                if (f.modelType.equals(type) || f.llavaModelType.equals(type)) {
                    return f;
                }
            }
            return null;
        }

        /** The family an {@code architectures} entry names, or {@code null}. */
        static Family ofArchitecture(String arch) {
            for (Family f : values()) {
                if (f.architecture.equals(arch) || f.llavaArchitecture.equals(arch)) {
                    return f;
                }
            }
            return null;
        }

        /** Every accepted {@code model_type}, for messages. */
        static String names() {
            StringBuilder b = new StringBuilder();
            for (Family f : values()) {
                b.append(b.length() == 0 ? "" : ", ").append(f.modelType).append(", ").append(f.llavaModelType);
            }
            return b.toString();
        }
    }

    /**
     * Llama 3's RoPE frequency scaling.
     *
     * @param factor how much the context was extended
     * @param lowFreqFactor wavelengths above {@code original/lowFreqFactor} are divided by {@code factor}
     * @param highFreqFactor wavelengths below {@code original/highFreqFactor} are kept
     * @param originalMaxPositions the original context length
     */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    /** A LLaMA configuration (full causal attention, no attention bias). */
    public LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
            float rmsNormEps, double ropeTheta, RopeScaling ropeScaling, int maxPositions, boolean tieWordEmbeddings) {
        this(vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, rmsNormEps, ropeTheta, ropeScaling,
                maxPositions, tieWordEmbeddings, Family.LLAMA, 0);
    }

    /** Validates the cross-field constraints, naming the values. */
    public LlamaConfig {
        if (family == null) {
            throw new IllegalArgumentException("family must be set (llama, mistral or qwen2)");
        }
        if (slidingWindow < 0 || (slidingWindow > 0 && family != Family.MISTRAL)) {
            throw new IllegalArgumentException("sliding_window must be 0 (none) or, for mistral only, positive; got "
                    + slidingWindow + " for " + family.modelType());
        }
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

    /** This configuration as another family with its options (Mistral's window; 0 for none). */
    public LlamaConfig withFamily(Family newFamily, int newSlidingWindow) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, rmsNormEps, ropeTheta,
                ropeScaling, maxPositions, tieWordEmbeddings, newFamily, newSlidingWindow);
    }

    /** This configuration with {@code newLayers} decoder layers and every other field kept. */
    public LlamaConfig withLayers(int newLayers) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, newLayers, heads, kvHeads, rmsNormEps, ropeTheta,
                ropeScaling, maxPositions, tieWordEmbeddings, family, slidingWindow);
    }

    /** Whether the q, k and v projections carry biases (Qwen2's). */
    public boolean attentionBias() {
        return family == Family.QWEN2;
    }

    /** Per-head width. */
    public int headDim() {
        return hiddenSize / heads;
    }

    /** The Hugging Face {@code LlamaForCausalLM} {@code config.json} fields that {@link #fromJson} reads back. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        com.google.gson.JsonArray arch = new com.google.gson.JsonArray();
        arch.add(family.architecture());
        o.add("architectures", arch);
        o.addProperty("model_type", family.modelType());
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
        if (family == Family.MISTRAL) {
            o.add("sliding_window", slidingWindow == 0 ? com.google.gson.JsonNull.INSTANCE
                    : new com.google.gson.JsonPrimitive(slidingWindow));
        } else if (family == Family.QWEN2) {
            o.addProperty("use_sliding_window", false);
        }
        return o;
    }

    /**
     * Reads a {@code config.json}, dispatching on {@code model_type} (or, without it, {@code architectures}; neither
     * means LLaMA). What the toolkit does not implement is an error naming the file, the field and the value, never
     * approximated: another {@code model_type} or architecture, {@code hidden_act} other than {@code silu}, a
     * {@code head_dim} other than {@code hidden_size / num_attention_heads}, LLaMA's {@code attention_bias} or
     * {@code mlp_bias}, {@code rope_scaling} other than {@code llama3}, and Qwen2's {@code use_sliding_window: true}
     * (Qwen2 windows only the layers from {@code max_window_layers} on, a layout no published Qwen2 checkpoint
     * enables; refused rather than implemented untested). Qwen2's {@code sliding_window} is ignored unless
     * {@code use_sliding_window} is true, as in Hugging Face.
     */
    public static LlamaConfig fromJson(JsonObject json, Path source) {
        ConfigFields f = new ConfigFields(json, source);
        Family family = family(f);
        String act = f.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw f.error("hidden_act", "'" + InvalidInputException.excerpt(act) + "' is not implemented for "
                    + family.modelType() + " (silu is)");
        }
        if (family == Family.LLAMA) {
            for (String field : new String[] {"attention_bias", "mlp_bias"}) {
                if (f.bool(field, false)) {
                    throw f.error(field, "true is not implemented for llama (biases on LLaMA projections)");
                }
            }
        }
        RopeScaling scaling = null;
        JsonObject rs = f.object("rope_scaling");
        if (rs != null) {
            ConfigFields r = new ConfigFields(rs, source);
            String type = r.text("rope_type", r.text("type", ""));
            if (!type.equals("llama3")) {
                throw f.error("rope_scaling", "of type '" + InvalidInputException.excerpt(type) + "' is not supported (llama3 is)");
            }
            scaling = new RopeScaling(r.number("factor", 8), r.number("low_freq_factor", 1),
                    r.number("high_freq_factor", 4), r.integer("original_max_position_embeddings", 8192));
        }
        int window = 0;
        if (family == Family.MISTRAL) {
            window = f.present("sliding_window") ? f.integer("sliding_window", 0) : 4096; // absent: HF's default; null: none
            if (window < 1 && f.has("sliding_window")) {
                throw f.error("sliding_window", "must be a positive integer or null, got " + window);
            }
        } else if (family == Family.QWEN2 && f.bool("use_sliding_window", false)) {
            throw f.error("use_sliding_window", "true is not implemented for qwen2 (its window covers only the layers "
                    + "from max_window_layers on); set it to false");
        }
        boolean qwen = family == Family.QWEN2;
        boolean mistral = family == Family.MISTRAL;
        int heads = f.integer("num_attention_heads", 32);
        int hidden = f.integer("hidden_size", 4096);
        if (f.has("head_dim") && heads > 0 && f.integer("head_dim", 0) * heads != hidden) {
            throw f.error("head_dim", f.integer("head_dim", 0) + " is not implemented: it must equal hidden_size / "
                    + "num_attention_heads = " + hidden + " / " + heads);
        }
        try {
            return new LlamaConfig(f.integer("vocab_size", qwen ? 151936 : 32000), hidden,
                    f.integer("intermediate_size", qwen ? 22016 : mistral ? 14336 : 11008),
                    f.integer("num_hidden_layers", 32), heads, f.integer("num_key_value_heads", mistral ? 8 : heads),
                    (float) f.number("rms_norm_eps", 1e-6), f.number("rope_theta", 10000), scaling,
                    f.integer("max_position_embeddings", qwen ? 32768 : mistral ? 4096 * 32 : 2048),
                    f.bool("tie_word_embeddings", false), family, window);
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidInputException ? e : new InvalidInputException(source, e.getMessage());
        }
    }

    /**
     * The family {@code model_type} names, or the first known {@code architectures} entry without it, or LLaMA
     * without either (files written before the field was read); an unknown name, or an architecture of another
     * family than {@code model_type}'s, is an error naming the field and the value.
     */
    private static Family family(ConfigFields f) {
        Family byArch = null;
        String arch = null;
        for (String a : f.strings("architectures")) {
            byArch = Family.ofArchitecture(a);
            arch = a;
            if (byArch != null) {
                break;
            }
        }
        String type = f.text("model_type", null);
        if (type == null) {
            if (arch != null && byArch == null) {
                throw f.error("architectures", "'" + InvalidInputException.excerpt(arch) + "' is not a supported LLM "
                        + "(and no model_type is given; supported model_type: " + Family.names() + ")");
            }
            return byArch == null ? Family.LLAMA : byArch;
        }
        Family byType = Family.ofModelType(type);
        if (byType == null) {
            throw f.error("model_type", "'" + InvalidInputException.excerpt(type) + "' is not a supported LLM "
                    + "(supported: " + Family.names() + ")");
        }
        if (byArch != null && byArch != byType) {
            throw f.error("architectures", "'" + arch + "' contradicts model_type '" + type + "'");
        }
        return byType;
    }
}
