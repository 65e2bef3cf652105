package org.infllava.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.infllava.io.InvalidInputException;
import org.infllava.train.lora.LoraConfig;

/**
 * A training run's JSON configuration (documented in docs/training.md). Every object's fields are checked: an unknown
 * or mistyped field is an error naming the file and the field's path ({@code train.batch_size}). Relative paths are
 * resolved against the config file's directory.
 *
 * @param name run name (run directories are {@code runs/<name>-<timestamp>})
 * @param seed the run's seed
 * @param stage 0 (tiny models: vision + projector + LLM on one low-resolution view, then the tower is saved and
 *     frozen for later stages), 1 (DEM + projector) or 2 (DEM + projector + LLM): the default trainable components
 * @param device {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto}; a comma-separated list trains data-parallel
 * @param model what to train
 * @param data what to train on
 * @param train how
 * @param precision {@code fp32}, or {@code fp16} (mixed precision with fp32 master weights and loss scaling)
 * @param json the whole configuration, for provenance
 * @param lora LoRA adapters (the {@code lora} block, see docs/lora.md), or {@code null} for full fine-tuning
 */
public record RunConfig(String name, long seed, int stage, String device, ModelSpec model, DataSpec data,
        TrainSettings train, String precision, JsonObject json, LoraSpec lora) {

    /**
     * A run's {@code lora} block.
     *
     * @param config the adapters
     * @param projectorLr the projector's own peak learning rate (LLaVA's {@code mm_projector_lr}), or {@code null}
     *     for the run's
     */
    public record LoraSpec(LoraConfig config, Double projectorLr) {}

    /** A run without LoRA (full fine-tuning of the trainable components). */
    public RunConfig(String name, long seed, int stage, String device, ModelSpec model, DataSpec data,
            TrainSettings train, String precision, JsonObject json) {
        this(name, seed, stage, device, model, data, train, precision, json, null);
    }

    /** The {@code preset} of a {@code lora} block: LLaVA-1.5's {@code finetune_lora.sh}. */
    public static final String LLAVA_LORA_PRESET = "llava-1.5";

    /**
     * The model.
     *
     * @param visionDir a CLIP or SigLIP directory, or {@code null} for a random tower of {@code visionRandom}
     * @param visionRandom config.json fields of a random tower (its {@code model_type} picks CLIP or SigLIP)
     * @param llmDir a LLaMA, Mistral or Qwen2 directory, or {@code null} for a random model of {@code llmRandom}
     * @param llmRandom config.json fields of a random LLM (vocab_size defaults to the tokenizer's; model_type picks
     *     the family)
     * @param dem {@code paper}, {@code reference} or {@code none} (LLaVA-1.5)
     * @param grid crop grid side
     * @param projector {@code mlp2x_gelu} or {@code linear}
     */
    public record ModelSpec(Path visionDir, JsonObject visionRandom, Path llmDir, JsonObject llmRandom, String dem,
            int grid, String projector) {}

    /**
     * The data.
     *
     * @param file LLaVA JSON or JSONL
     * @param imageRoot image directory
     * @param tokenizer tokenizer.json (default: the LLM directory's)
     * @param template chat template
     * @param maxLength longest expanded sequence
     * @param strict stop at the first malformed row
     * @param synthSamples when &gt; 0 and the file is missing, write that many synthetic samples first
     * @param synthSize synthetic image side
     */
    public record DataSpec(Path file, Path imageRoot, Path tokenizer, String template, int maxLength, boolean strict,
            int synthSamples, int synthSize) {}

    /** Reads and validates a config file. */
    public static RunConfig load(Path file) {
        JsonObject json;
        try {
            json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new InvalidInputException(file, "not a JSON object: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
        Path base = file.toAbsolutePath().getParent();
        Fields root = new Fields(file, "", json, Set.of("name", "seed", "stage", "device", "model", "data", "train",
                "lora"));
        int stage = root.integer("stage", 1);
        if (stage < 0 || stage > 2) {
            throw root.error("stage", "must be 0, 1 or 2, got " + stage);
        }
        String device = root.text("device", "auto");
        if (!org.infllava.model.Devices.isWellFormed(device)) {
            throw root.error("device", "must be cpu, gpu, gpu:N or auto, or a comma-separated list of them for data "
                    + "parallelism, got '" + device + "'");
        }
        Fields m = root.object("model", Set.of("vision", "llm", "dem", "grid", "projector"));
        Fields v = m.object("vision", Set.of("dir", "random"));
        Fields l = m.object("llm", Set.of("dir", "random"));
        String dem = stage == 0 ? "none" : m.text("dem", "paper");
        if (!Set.of("paper", "reference", "none").contains(dem)) {
            throw m.error("dem", "must be paper, reference or none, got '" + dem + "'");
        }
        ModelSpec model = new ModelSpec(v.path("dir", base), v.rawObject("random"), l.path("dir", base),
                l.rawObject("random"), dem, m.integer("grid", 3), m.text("projector", "mlp2x_gelu"));
        if ((model.visionDir() == null) == (model.visionRandom() == null)) {
            throw v.error("dir", "give exactly one of model.vision.dir and model.vision.random");
        }
        if ((model.llmDir() == null) == (model.llmRandom() == null)) {
            throw l.error("dir", "give exactly one of model.llm.dir and model.llm.random");
        }
        Fields d = root.object("data", Set.of("file", "image_root", "tokenizer", "template", "max_length", "strict",
                "synth"));
        Fields synth = d.has("synth") ? d.object("synth", Set.of("samples", "image_size")) : null;
        Path dataFile = d.path("file", base);
        if (dataFile == null) {
            throw d.error("file", "is required");
        }
        DataSpec data = new DataSpec(dataFile, d.path("image_root", base) == null ? dataFile.getParent()
                : d.path("image_root", base), d.path("tokenizer", base), d.text("template", stage == 2 ? "llama3"
                : "plain"), d.integer("max_length", 2048), d.bool("strict", false),
                synth == null ? 0 : synth.integer("samples", 64), synth == null ? 84 : synth.integer("image_size", 84));
        Fields t = root.object("train", Set.of("steps", "batch_size", "accumulation", "lr", "warmup_ratio",
                "min_lr_ratio", "weight_decay", "clip_norm", "trainable", "freeze_patterns", "group_by_length",
                "checkpoint_every", "keep_last", "log_every", "precision"));
        String precision = t.text("precision", "fp32");
        if (!Set.of("fp32", "fp16").contains(precision)) {
            throw t.error("precision", "must be fp32 or fp16, got '" + precision + "'");
        }
        FreezePolicy freeze;
        try {
            freeze = t.has("trainable")
                    ? new FreezePolicy(new LinkedHashSet<>(t.strings("trainable")), t.strings("freeze_patterns"))
                    : new FreezePolicy(switch (stage) {
                        case 0 -> java.util.Set.of("vision", "projector", "llm");
                        case 1 -> FreezePolicy.stage1().trainable();
                        default -> FreezePolicy.stage2().trainable();
                    }, t.strings("freeze_patterns"));
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidInputException ? e : t.error(t.has("trainable") ? "trainable" : "freeze_patterns",
                    InvalidInputException.excerpt(e.getMessage()));
        }
        LoraSpec lora = root.has("lora") ? lora(root.object("lora", Set.of("preset", "r", "alpha", "dropout",
                "target_modules", "components", "projector_lr"))) : null;
        if (lora != null) {
            freeze = FreezePolicy.withAdapters(freeze, lora.config().components());
        }
        TrainSettings settings;
        try {
            settings = new TrainSettings(root.integer("seed", 42), t.integer("steps", 100), t.integer("batch_size", 4),
                    t.integer("accumulation", 1), t.number("lr", lora != null ? 2e-4 : stage == 2 ? 2e-5 : 1e-3), t.number("warmup_ratio", 0.03),
                    t.number("min_lr_ratio", 0.0), t.number("weight_decay", 0.0), t.number("clip_norm", 1.0), freeze,
                    t.bool("group_by_length", true), t.integer("checkpoint_every", 0), t.integer("keep_last", 2),
                    t.integer("log_every", 10));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "train: " + InvalidInputException.excerpt(e.getMessage()));
        }
        return new RunConfig(root.text("name", "run"), root.integer("seed", 42), stage, device, model, data,
                settings, precision, json, lora);
    }

    /**
     * The {@code lora} block: {@code preset} ({@value #LLAVA_LORA_PRESET}: r 128, alpha 256, dropout 0.05, every
     * Linear layer of the LLM, projector lr 2e-5) and fields that override it ({@code r}, required without a preset;
     * {@code alpha} (default r), {@code dropout} (0), {@code target_modules} (a list of names or one regular
     * expression; default the LLaMA Linear layers), {@code components} ({@code ["llm"]}), {@code projector_lr}).
     */
    private static LoraSpec lora(Fields f) {
        String preset = f.text("preset", null);
        boolean llava = LLAVA_LORA_PRESET.equals(preset);
        if (preset != null && !llava) {
            throw f.error("preset", "must be " + LLAVA_LORA_PRESET + ", got '" + InvalidInputException.excerpt(preset)
                    + "'");
        }
        if (!llava && !f.has("r")) {
            throw f.error("r", "is required without a preset");
        }
        int r = f.integer("r", 128);
        LoraConfig.Builder b = LoraConfig.builder().setRank(r).optAlpha(f.number("alpha", llava ? 256 : r))
                .optDropout(f.number("dropout", llava ? 0.05 : 0.0));
        if (f.has("target_modules")) {
            if (f.json.get("target_modules").isJsonArray()) {
                b.optTargetNames(f.strings("target_modules"));
            } else {
                b.optTargetRegex(f.text("target_modules", null));
            }
        }
        if (f.has("components")) {
            b.optComponents(new LinkedHashSet<>(f.strings("components")));
        }
        Double projectorLr = f.has("projector_lr") ? f.number("projector_lr", 0) : llava ? 2e-5 : null;
        if (projectorLr != null && !(projectorLr > 0)) {
            throw f.error("projector_lr", "must be > 0, got " + projectorLr);
        }
        try {
            return new LoraSpec(b.build(), projectorLr);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(f.file, "lora: " + InvalidInputException.excerpt(e.getMessage()));
        }
    }

    /** Typed access to one JSON object with its allowed fields. */
    private static final class Fields {
        private final Path file;
        private final String path;
        private final JsonObject json;

        Fields(Path file, String path, JsonObject json, Set<String> allowed) {
            this.file = file;
            this.path = path;
            this.json = json;
            for (String k : json.keySet()) {
                if (!allowed.contains(k)) {
                    throw new InvalidInputException(file, "unknown field '" + path + InvalidInputException.excerpt(k)
                        + "' (known: "
                            + new java.util.TreeSet<>(allowed) + ")");
                }
            }
        }

        InvalidInputException error(String field, String problem) {
            return new InvalidInputException(file, "field '" + path + field + "' " + problem);
        }

        boolean has(String k) {
            return json.has(k) && !json.get(k).isJsonNull();
        }

        Fields object(String k, Set<String> allowed) {
            JsonElement e = json.get(k);
            if (e == null || e.isJsonNull()) {
                return new Fields(file, path + k + ".", new JsonObject(), allowed);
            }
            if (!e.isJsonObject()) {
                throw error(k, "must be an object");
            }
            return new Fields(file, path + k + ".", e.getAsJsonObject(), allowed);
        }

        JsonObject rawObject(String k) {
            if (!has(k)) {
                return null;
            }
            if (!json.get(k).isJsonObject()) {
                throw error(k, "must be an object");
            }
            return json.getAsJsonObject(k);
        }

        int integer(String k, int def) {
            if (!has(k)) {
                return def;
            }
            JsonElement e = json.get(k);
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                return e.getAsBigDecimal().intValueExact();
            } catch (ArithmeticException | NumberFormatException ex) {
                throw error(k, "must be an integer, got " + InvalidInputException.excerpt(e.toString()));
            }
        }

        double number(String k, double def) {
            if (!has(k)) {
                return def;
            }
            JsonElement e = json.get(k);
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && Double.isFinite(e.getAsDouble())) {
                return e.getAsDouble();
            }
            throw error(k, "must be a finite number, got " + InvalidInputException.excerpt(e.toString()));
        }

        boolean bool(String k, boolean def) {
            if (!has(k)) {
                return def;
            }
            JsonElement e = json.get(k);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw error(k, "must be true or false, got " + InvalidInputException.excerpt(e.toString()));
            }
            return e.getAsBoolean();
        }

        String text(String k, String def) {
            if (!has(k)) {
                return def;
            }
            JsonElement e = json.get(k);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw error(k, "must be a string, got " + InvalidInputException.excerpt(e.toString()));
            }
            return e.getAsString();
        }

        Path path(String k, Path base) {
            String s = text(k, null);
            try {
                return s == null ? null : base.resolve(s).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                throw error(k, "is not a valid path: " + InvalidInputException.excerpt(s));
            }
        }

        List<String> strings(String k) {
            List<String> out = new ArrayList<>();
            if (!has(k)) {
                return out;
            }
            if (!json.get(k).isJsonArray()) {
                throw error(k, "must be a list of strings");
            }
            for (JsonElement e : json.getAsJsonArray(k)) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw error(k, "must be a list of strings, has " + InvalidInputException.excerpt(e.toString()));
                }
                out.add(e.getAsString());
            }
            return out;
        }
    }
}
