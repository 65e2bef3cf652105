package org.infllava.model;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;

/**
 * The vision half of a Hugging Face CLIP {@code config.json} ({@code CLIPVisionConfig}); defaults are Hugging Face's.
 *
 * @param hiddenSize width {@code d}
 * @param intermediateSize MLP width
 * @param layers encoder layers
 * @param heads attention heads
 * @param channels input channels
 * @param imageSize input side in pixels
 * @param patchSize patch side in pixels
 * @param activation {@code quick_gelu} or {@code gelu}
 * @param layerNormEps LayerNorm epsilon
 */
public record ClipVisionConfig(int hiddenSize, int intermediateSize, int layers, int heads, int channels,
        int imageSize, int patchSize, String activation, float layerNormEps) {

    /** Validates the cross-field constraints, naming the values. */
    public ClipVisionConfig {
        if (hiddenSize < 1 || intermediateSize < 1 || layers < 1 || heads < 1 || channels < 1 || imageSize < 1
                || patchSize < 1) {
            throw new IllegalArgumentException("CLIP vision sizes must be positive: hidden_size=" + hiddenSize
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
        if (!activation.equals("quick_gelu") && !activation.equals("gelu")) {
            throw new IllegalArgumentException("hidden_act must be quick_gelu or gelu, got " + activation);
        }
    }

    /** Patches along one side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Tokens per image, class token included. */
    public int tokens() {
        return gridSize() * gridSize() + 1;
    }

    /**
     * Reads a CLIPVisionModel {@code config.json}, or the {@code vision_config} of a full CLIP one.
     *
     * @param source the file, for messages
     */
    public static ClipVisionConfig fromJson(JsonObject json, Path source) {
        JsonObject v = json.has("vision_config") ? new ConfigFields(json, source).object("vision_config") : json;
        v = v == null ? json : v;
        ConfigFields f = new ConfigFields(v, source);
        try {
            return new ClipVisionConfig(f.integer("hidden_size", 768), f.integer("intermediate_size", 3072),
                    f.integer("num_hidden_layers", 12), f.integer("num_attention_heads", 12),
                    f.integer("num_channels", 3), f.integer("image_size", 224), f.integer("patch_size", 32),
                    f.text("hidden_act", "quick_gelu"), (float) f.number("layer_norm_eps", 1e-5));
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidInputException ? e : new InvalidInputException(source, e.getMessage());
        }
    }

    /** The fields of a CLIPVisionModel {@code config.json}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "clip_vision_model");
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
