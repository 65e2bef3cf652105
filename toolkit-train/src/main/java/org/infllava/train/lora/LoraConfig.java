package org.infllava.train.lora;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.infllava.io.InvalidInputException;

/**
 * A LoRA configuration (Hu et al. 2021, as Hugging Face PEFT applies it): every targeted Linear layer
 * {@code y = W x + b} becomes {@code y = W x + b + (alpha / r) · B A dropout(x)} with {@code A (r, in)} and
 * {@code B (out, r)}; the base weights stay frozen. Immutable; build with {@link #builder()}.
 *
 * <p>Targets follow PEFT's rules on the module's PEFT path (the name under {@code base_model.model.}, e.g.
 * {@code model.layers.0.self_attn.q_proj}): a list of names matches a module whose path equals a name or ends with
 * {@code "." + name}; a regular expression must match the whole path (so {@code q_proj|v_proj} alone matches
 * nothing; write {@code .*\.(q_proj|v_proj)}); the name {@code all-linear} matches every Linear layer but the
 * output layer {@code lm_head}.
 *
 * @param rank {@code r}, the inner dimension of {@code B A}
 * @param alpha {@code lora_alpha}; the delta is scaled by {@code alpha / r} ({@code alpha / √r} with rsLoRA)
 * @param dropout dropout on the adapter's input during training, {@code [0, 1)}
 * @param targetNames target module names (suffix match), or {@code null} when {@code targetRegex} is given
 * @param targetRegex a regular expression over the whole module path, or {@code null}
 * @param components which parts of the model get adapters: {@code llm} and/or {@code vision} (the projector
 *     is trained fully, as in LLaVA, by the freeze policy)
 * @param baseModel {@code base_model_name_or_path} recorded in {@code adapter_config.json}
 * @param rsLora rank-stabilised scaling {@code alpha / √r} (PEFT's {@code use_rslora})
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targetNames, String targetRegex,
        Set<String> components, String baseModel, boolean rsLora) {

    /** The parts of a model that can carry adapters. */
    public static final List<String> COMPONENTS = List.of("llm", "vision");

    /** PEFT's name for "every Linear layer but the output layer". */
    public static final String ALL_LINEAR = "all-linear";

    /** The Linear layers of a LLaMA decoder layer (LLaVA-1.5's {@code find_all_linear_names} on the LLM). */
    public static final List<String> LLAMA_LINEAR = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    /** Validates; see {@link Builder#build()}. */
    public LoraConfig {
        targetNames = targetNames == null ? null : List.copyOf(targetNames);
        components = Set.copyOf(components);
        if (rank < 1 || !(alpha > 0) || !(dropout >= 0 && dropout < 1) || components.isEmpty()
                || !COMPONENTS.containsAll(components) || (targetNames == null) == (targetRegex == null)
                || (targetNames != null && targetNames.isEmpty()) || baseModel == null) {
            throw new IllegalArgumentException("need rank >= 1, alpha > 0, 0 <= dropout < 1, components a non-empty "
                    + "subset of " + COMPONENTS + ", exactly one of target names (non-empty) and target regex, a base "
                    + "model name; got rank=" + rank + " alpha=" + alpha + " dropout=" + dropout + " components="
                    + components + " targetNames=" + targetNames + " targetRegex=" + targetRegex + " baseModel="
                    + baseModel);
        }
        if (targetRegex != null) {
            Pattern.compile(targetRegex);
        }
    }

    /** A builder; {@link Builder#setRank} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * LLaVA-1.5's {@code finetune_lora.sh} (stage 2): r 128, alpha 256, dropout 0.05, every Linear layer of the LLM
     * ({@link #LLAMA_LINEAR}); its projector trains fully at lr 2e-5 beside the adapters' 2e-4 (see
     * {@code RunConfig}'s {@code lora} block).
     */
    public static LoraConfig llavaStage2() {
        return builder().setRank(128).optAlpha(256).optDropout(0.05).optTargetNames(LLAMA_LINEAR).build();
    }

    /** The scale of the adapter's product: {@code alpha / r}, or {@code alpha / √r} with rsLoRA. */
    public double scale() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** Whether the module at PEFT path {@code path} is a target (PEFT's matching rules, see the class comment). */
    public boolean matches(String path) {
        if (targetRegex != null) {
            return Pattern.matches(targetRegex, path);
        }
        for (String t : targetNames) {
            if (t.equals(ALL_LINEAR) ? !path.equals("lm_head") && !path.endsWith(".lm_head")
                    : path.equals(t) || path.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    /** A copy with another base model name. */
    public LoraConfig withBaseModel(String name) {
        return new LoraConfig(rank, alpha, dropout, targetNames, targetRegex, components, name, rsLora);
    }

    /** PEFT's {@code adapter_config.json} for this configuration (task type {@code CAUSAL_LM}). */
    public JsonObject toPeftJson() {
        JsonObject j = new JsonObject();
        j.addProperty("peft_type", "LORA");
        j.addProperty("task_type", "CAUSAL_LM");
        j.addProperty("base_model_name_or_path", baseModel);
        j.addProperty("r", rank);
        j.addProperty("lora_alpha", alpha == Math.rint(alpha) ? (Number) (long) alpha : (Number) alpha);
        j.addProperty("lora_dropout", dropout);
        if (targetRegex != null) {
            j.addProperty("target_modules", targetRegex);
        } else {
            JsonArray a = new JsonArray();
            targetNames.forEach(a::add);
            j.add("target_modules", a);
        }
        j.addProperty("bias", "none");
        j.addProperty("fan_in_fan_out", false);
        j.addProperty("use_rslora", rsLora);
        j.addProperty("use_dora", false);
        j.addProperty("init_lora_weights", true);
        j.addProperty("inference_mode", true);
        j.add("modules_to_save", JsonNull.INSTANCE);
        j.add("layers_to_transform", JsonNull.INSTANCE);
        j.add("rank_pattern", new JsonObject());
        j.add("alpha_pattern", new JsonObject());
        return j;
    }

    /**
     * Reads PEFT's {@code adapter_config.json}. Refused (naming the file, the field and the value): a
     * {@code peft_type} other than {@code LORA}, {@code bias} other than {@code none}, and the PEFT options this
     * toolkit does not implement ({@code use_dora}, {@code fan_in_fan_out}, {@code rank_pattern},
     * {@code alpha_pattern}, {@code modules_to_save}, {@code layers_to_transform}) — never approximated.
     *
     * @param components the components the adapter is for (PEFT's file does not say; see {@link Lora#load})
     */
    public static LoraConfig fromPeftJson(JsonObject j, Path file, Set<String> components) {
        String type = string(j, "peft_type", file);
        if (!"LORA".equals(type)) {
            throw new InvalidInputException(file, "field 'peft_type' is '" + InvalidInputException.excerpt(type)
                    + "': only LORA adapters are supported");
        }
        String bias = j.has("bias") && !j.get("bias").isJsonNull() ? string(j, "bias", file) : "none";
        if (!bias.equals("none")) {
            throw new InvalidInputException(file, "field 'bias' is '" + InvalidInputException.excerpt(bias)
                    + "': only bias \"none\" is supported");
        }
        for (String flag : new String[] {"use_dora", "fan_in_fan_out"}) {
            if (j.has(flag) && !j.get(flag).isJsonNull() && truthy(j.get(flag))) {
                throw new InvalidInputException(file, "field '" + flag + "' is " + j.get(flag) + ": not supported");
            }
        }
        for (String f : new String[] {"rank_pattern", "alpha_pattern", "modules_to_save", "layers_to_transform"}) {
            JsonElement e = j.get(f);
            boolean empty = e == null || e.isJsonNull() || (e.isJsonObject() && e.getAsJsonObject().size() == 0)
                    || (e.isJsonArray() && e.getAsJsonArray().isEmpty());
            if (!empty) {
                throw new InvalidInputException(file, "field '" + f + "' is "
                        + InvalidInputException.excerpt(e.toString()) + ": not supported");
            }
        }
        int r = (int) number(j, "r", file);
        double alpha = j.has("lora_alpha") ? number(j, "lora_alpha", file) : 8;
        double dropout = j.has("lora_dropout") && !j.get("lora_dropout").isJsonNull() ? number(j, "lora_dropout", file)
                : 0;
        List<String> names = null;
        String regex = null;
        JsonElement t = j.get("target_modules");
        if (t == null || t.isJsonNull()) {
            throw new InvalidInputException(file, "field 'target_modules' is missing");
        } else if (t.isJsonArray()) {
            names = new ArrayList<>();
            for (JsonElement e : t.getAsJsonArray()) {
                names.add(e.getAsString());
            }
        } else {
            regex = t.getAsString();
        }
        boolean rs = j.has("use_rslora") && !j.get("use_rslora").isJsonNull() && truthy(j.get("use_rslora"));
        String base = j.has("base_model_name_or_path") && !j.get("base_model_name_or_path").isJsonNull()
                ? j.get("base_model_name_or_path").getAsString() : "";
        try {
            return new LoraConfig(r, alpha, dropout, names, regex, components, base, rs);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, InvalidInputException.excerpt(e.getMessage()));
        }
    }

    private static boolean truthy(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() ? e.getAsBoolean() : true;
    }

    private static String string(JsonObject j, String k, Path file) {
        JsonElement e = j.get(k);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new InvalidInputException(file, "field '" + k + "' must be a string, got "
                    + (e == null ? "nothing" : InvalidInputException.excerpt(e.toString())));
        }
        return e.getAsString();
    }

    private static double number(JsonObject j, String k, Path file) {
        JsonElement e = j.get(k);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new InvalidInputException(file, "field '" + k + "' must be a number, got "
                    + (e == null ? "nothing" : InvalidInputException.excerpt(e.toString())));
        }
        return e.getAsDouble();
    }

    /** Builds a {@link LoraConfig}. */
    public static final class Builder {
        private int rank;
        private Double alpha;
        private double dropout;
        private List<String> targetNames;
        private String targetRegex;
        private Set<String> components = Set.of("llm");
        private String baseModel = "";
        private boolean rsLora;

        private Builder() {}

        /** Required: the rank {@code r}. */
        public Builder setRank(int rank) {
            this.rank = rank;
            return this;
        }

        /** {@code lora_alpha}; default: the rank (scale 1). */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Dropout on the adapter input while training; default 0. */
        public Builder optDropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        /** Target module names (suffix match, or {@code all-linear}); default {@link #LLAMA_LINEAR}. */
        public Builder optTargetNames(List<String> names) {
            this.targetNames = new ArrayList<>(names);
            this.targetRegex = null;
            return this;
        }

        /** Targets by a regular expression over the whole module path (PEFT's string form). */
        public Builder optTargetRegex(String regex) {
            this.targetRegex = regex;
            this.targetNames = null;
            return this;
        }

        /** Components with adapters ({@code llm}, {@code vision}); default {@code llm}. */
        public Builder optComponents(Set<String> components) {
            this.components = new LinkedHashSet<>(components);
            return this;
        }

        /** {@code base_model_name_or_path}; default empty. */
        public Builder optBaseModel(String name) {
            this.baseModel = name;
            return this;
        }

        /** Rank-stabilised scaling {@code alpha / √r}; default off. */
        public Builder optRsLora(boolean rsLora) {
            this.rsLora = rsLora;
            return this;
        }

        /** Validates (rank, alpha, dropout, components, targets), naming the values. */
        public LoraConfig build() {
            List<String> names = targetNames == null && targetRegex == null ? LLAMA_LINEAR : targetNames;
            return new LoraConfig(rank, alpha == null ? rank : alpha, dropout, names, targetRegex, components,
                    baseModel, rsLora);
        }
    }
}
