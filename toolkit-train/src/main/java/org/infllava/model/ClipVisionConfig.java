package org.infllava.model;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;

/**
 * A ViT vision tower's {@code config.json}: Hugging Face's {@code CLIPVisionConfig} or {@code SiglipVisionConfig}
 * (standalone, or the {@code vision_config} of a full CLIP / SigLIP one); defaults are Hugging Face's for the family.
 * The families share the pre-LN encoder layers and differ in the embeddings ({@link Family}).
 *
 * @param hiddenSize width {@code d}
 * @param intermediateSize MLP width
 * @param layers encoder layers
 * @param heads attention heads
 * @param channels input channels
 * @param imageSize input side in pixels
 * @param patchSize patch side in pixels
 * @param activation {@code quick_gelu}, {@code gelu} or {@code gelu_pytorch_tanh}
 * @param layerNormEps LayerNorm epsilon
 * @param family CLIP or SigLIP ({@code model_type} on disk)
 */
public record ClipVisionConfig(int hiddenSize, int intermediateSize, int layers, int heads, int channels,
        int imageSize, int patchSize, String activation, float layerNormEps, Family family) {

    /** The activations the towers implement, by their Hugging Face names. */
    public static final java.util.List<String> ACTIVATIONS = java.util.List.of("quick_gelu", "gelu",
            "gelu_pytorch_tanh");

    /** The vision tower families the toolkit implements. */
    public enum Family {
        /**
         * {@code CLIPVisionModel}: bias-free patch convolution, a class token first, position embeddings for
         * {@code P + 1} tokens, {@code pre_layrnorm}; {@code post_layernorm} pools the class token.
         */
        CLIP("clip_vision_model", "clip"),
        /**
         * {@code SiglipVisionModel}: patch convolution with bias, no class token, position embeddings for the
         * {@code P} patches, no pre-layernorm; {@code post_layernorm} on every token (its {@code last_hidden_state});
         * the attention-pooling head is not loaded (LLaVA-style models read {@code hidden_states}).
         */
        SIGLIP("siglip_vision_model", "siglip");

        private final String modelType;
        private final String fullModelType;

        Family(String modelType, String fullModelType) {
            this.modelType = modelType;
            this.fullModelType = fullModelType;
        }

        /** The standalone tower's {@code model_type}. */
        public String modelType() {
            return modelType;
        }

        /** The {@code model_type} of the full (image-text) model whose {@code vision_config} holds the tower. */
        public String fullModelType() {
            return fullModelType;
        }
    }

    /** A CLIP configuration. */
    public ClipVisionConfig(int hiddenSize, int intermediateSize, int layers, int heads, int channels, int imageSize,
            int patchSize, String activation, float layerNormEps) {
        this(hiddenSize, intermediateSize, layers, heads, channels, imageSize, patchSize, activation, layerNormEps,
                Family.CLIP);
    }

    /** Validates the cross-field constraints, naming the values. */
    public ClipVisionConfig {
        if (hiddenSize < 1 || intermediateSize < 1 || layers < 1 || heads < 1 || channels < 1 || imageSize < 1
                || patchSize < 1) {
            throw new IllegalArgumentException("vision tower sizes must be positive: hidden_size=" + hiddenSize
                    + " intermediate_size=" + intermediateSize + " num_hidden_layers=" + layers
                    + " num_attention_heads=" + heads + " image_size=" + imageSize + " patch_size=" + patchSize);
        }
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hidden_size % num_attention_heads must be 0, got hidden_size="
                    + hiddenSize + " num_attention_heads=" + heads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image_size % patch_size must be 0, got image_size=" + imageSize
                    + " patch_size=" + patchSize);
        }
        if (!ACTIVATIONS.contains(activation)) {
            throw new IllegalArgumentException("hidden_act must be one of " + ACTIVATIONS + ", got " + activation);
        }
        if (family == null) {
            throw new IllegalArgumentException("family must be set (clip_vision_model or siglip_vision_model)");
        }
    }

    /** Whether the tower puts a class token before the patches (CLIP does, SigLIP does not). */
    public boolean classToken() {
        return family == Family.CLIP;
    }

    /** Patch tokens per image, {@code g²}. */
    public int patches() {
        return gridSize() * gridSize();
    }

    /**
     * The family's image statistics: OpenAI CLIP's mean and std, or SigLIP's 0.5 and 0.5 per channel (its pad colour
     * for LLaVA's pad-to-square is then grey 127).
     */
    public org.infllava.crop.ClipPreprocessor preprocessor() {
        return classToken() ? org.infllava.crop.ClipPreprocessor.clip() : org.infllava.crop.ClipPreprocessor.builder()
                .optMean(0.5f, 0.5f, 0.5f).optStd(0.5f, 0.5f, 0.5f).build();
    }

    /** Patches along one side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Tokens per image: the patches, plus the class token when the tower has one. */
    public int tokens() {
        return patches() + (classToken() ? 1 : 0);
    }

    /**
     * Reads a CLIPVisionModel or SiglipVisionModel {@code config.json}, or the {@code vision_config} of a full CLIP
     * or SigLIP one, dispatching on {@code model_type} ({@code clip_vision_model}, {@code clip},
     * {@code siglip_vision_model}, {@code siglip}; absent: the {@code vision_config}'s, else CLIP). Another
     * {@code model_type} or an activation outside {@link #ACTIVATIONS} is an error naming the file, the field and the
     * value.
     *
     * @param source the file, for messages
     */
    public static ClipVisionConfig fromJson(JsonObject json, Path source) {
        ConfigFields top = new ConfigFields(json, source);
        JsonObject v = json.has("vision_config") ? top.object("vision_config") : null;
        ConfigFields inner = v == null ? null : new ConfigFields(v, source);
        String type = top.text("model_type", null);
        String innerType = inner == null ? null : inner.text("model_type", null);
        Family family = null;
        for (Family f : Family.values()) {
            if (f.modelType().equals(type) || f.fullModelType().equals(type)
                    || (type == null && f.modelType().equals(innerType))) {
                family = f;
            }
        }
        if (family == null && type == null && innerType == null) {
            family = Family.CLIP; // files written before the field was read
        }
        if (family == null) {
            String field = type != null ? "model_type" : "vision_config.model_type";
            throw top.error(field, "'" + InvalidInputException.excerpt(type != null ? type : innerType)
                    + "' is not a supported vision tower (supported: clip_vision_model, clip, siglip_vision_model, "
                    + "siglip)");
        }
        if (innerType != null && !innerType.equals(family.modelType())) {
            throw top.error("vision_config.model_type", "'" + InvalidInputException.excerpt(innerType)
                    + "' contradicts model_type '" + type + "'");
        }
        ConfigFields f = inner != null ? inner : top;
        boolean siglip = family == Family.SIGLIP;
        String act = f.text("hidden_act", siglip ? "gelu_pytorch_tanh" : "quick_gelu");
        if (!ACTIVATIONS.contains(act)) {
            throw top.error(inner != null ? "vision_config.hidden_act" : "hidden_act", "'"
                    + InvalidInputException.excerpt(act) + "' is not implemented (implemented: " + ACTIVATIONS + ")");
        }
        try {
            return new ClipVisionConfig(f.integer("hidden_size", 768), f.integer("intermediate_size", 3072),
                    f.integer("num_hidden_layers", 12), f.integer("num_attention_heads", 12),
                    f.integer("num_channels", 3), f.integer("image_size", 224), f.integer("patch_size", siglip ? 16 : 32),
                    act, (float) f.number("layer_norm_eps", siglip ? 1e-6 : 1e-5), family);
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidInputException ? e : new InvalidInputException(source, e.getMessage());
        }
    }

    /** The fields of a CLIPVisionModel or SiglipVisionModel {@code config.json}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", family.modelType());
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("num_hidden_layers", layers);
        o.addProperty("num_attention_heads", heads);
        o.addProperty("num_channels", channels);
        o.addProperty("image_size", imageSize);
        o.addProperty("patch_size", patchSize);
        o.addProperty("hidden_act", activation);
        o.addProperty("layer_norm_eps", layerNormEps);
        return o;
    }

    /** openai/clip-vit-large-patch14-336. */
    public static ClipVisionConfig clipVitL14x336() {
        return new ClipVisionConfig(1024, 4096, 24, 16, 3, 336, 14, "quick_gelu", 1e-5f);
    }
}
