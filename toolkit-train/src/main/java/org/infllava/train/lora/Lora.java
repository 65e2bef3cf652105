package org.infllava.train.lora;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.model.GradMode;
import org.infllava.model.InfLlavaModel;
import org.infllava.nn.NamedBlock;

/**
 * LoRA adapters attached to a model's components, in Hugging Face PEFT's file layout.
 *
 * <p>Attaching registers one {@link NamedBlock.LinearAdapter} per targeted Linear layer and adds the adapter
 * matrices to the component's parameters under the layer's name ({@code model.layers.0.self_attn.q_proj.lora_A.weight};
 * the base keeps its Hugging Face names), so trainers, optimisers and checkpoints see them like any weight; a freeze
 * policy decides what trains.
 *
 * <p>Files (PEFT's layout): {@code adapter_config.json} and {@code adapter_model.safetensors} with keys
 * {@code base_model.model.<module path>.lora_A.weight} {@code (r, in)} and {@code ...lora_B.weight}
 * {@code (out, r)}. The module path of an LLM layer is its Hugging Face name ({@code LlamaForCausalLM} and the
 * original LLaVA's {@code LlavaLlamaForCausalLM} share {@code model.layers.N...}); a vision-tower layer sits under
 * {@code model.vision_tower.vision_tower.vision_model.} as in LLaVA.
 */
public final class Lora {

    /** The PEFT path prefix of each component's module names. */
    public static final Map<String, String> PEFT_PREFIX = Map.of("llm", "",
            "vision", "model.vision_tower.vision_tower.vision_model.");

    /** The key prefix PEFT gives every adapter tensor. */
    public static final String KEY_PREFIX = "base_model.model.";

    /** The adapter config file. */
    public static final String CONFIG_FILE = "adapter_config.json";

    /** The adapter weights file. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private final LoraConfig config;
    private final Map<String, NamedBlock> bases;
    private final Map<String, LoraLayers> layers;
    private boolean attached = true;

    private Lora(LoraConfig config, Map<String, NamedBlock> bases, Map<String, LoraLayers> layers) {
        this.config = config;
        this.bases = bases;
        this.layers = layers;
    }

    /** The components of an {@link InfLlavaModel} that can carry adapters, by name ({@code llm}, {@code vision}). */
    public static Map<String, NamedBlock> components(InfLlavaModel model) {
        Map<String, NamedBlock> out = new LinkedHashMap<>();
        out.put("llm", (NamedBlock) model.llm());
        out.put("vision", (NamedBlock) model.vision());
        return out;
    }

    /**
     * New adapters (A seeded U(±1/√in), B zero) on every Linear layer of {@code config.components()} that
     * {@code config} targets.
     *
     * @param bases components by name; those named in the config must be present
     * @param manager owns the adapter matrices (the device of the base weights)
     * @throws IllegalArgumentException when the config targets no layer, or a layer already has an adapter
     */
    public static Lora attach(LoraConfig config, Map<String, NamedBlock> bases, NDManager manager, long seed) {
        Map<String, LoraLayers> layers = new LinkedHashMap<>();
        float scale = (float) config.scale();
        for (String component : config.components()) {
            NamedBlock base = base(bases, component);
            LoraLayers l = new LoraLayers();
            base.linearModules().forEach((name, dense) -> {
                if (config.matches(PEFT_PREFIX.get(component) + name)) {
                    l.add(name, dense, config.rank(), scale, (float) config.dropout());
                }
            });
            if (!l.modules().isEmpty()) {
                layers.put(component, l);
            }
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("LoRA targets " + (config.targetRegex() != null ? "regex '"
                    + config.targetRegex() + "'" : config.targetNames()) + " match no Linear layer of "
                    + config.components());
        }
        Engine.getInstance().setRandomSeed((int) seed);
        for (LoraLayers l : layers.values()) {
            l.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
        }
        return install(config, bases, layers);
    }

    /** {@link #attach(LoraConfig, Map, NDManager, long)} on an {@link InfLlavaModel}'s components. */
    public static Lora attach(LoraConfig config, InfLlavaModel model, NDManager manager, long seed) {
        return attach(config, components(model), manager, seed);
    }

    /**
     * Loads a PEFT LoRA adapter directory onto {@code bases}: every key must name a Linear layer the base has, with
     * {@code lora_A (r, in)} and {@code lora_B (out, r)} fitting the layer's {@code (out, in)}. Nothing is attached
     * unless every key fits.
     *
     * @throws InvalidInputException naming the file, and for a bad key the key with the expected and found shapes
     */
    public static Lora load(Path dir, Map<String, NamedBlock> bases, NDManager manager) {
        Path cfgFile = dir.resolve(CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(cfgFile)) {
            throw new InvalidInputException(cfgFile, "no such file: not a PEFT adapter directory");
        }
        JsonObject json;
        try {
            json = JsonParser.parseString(Files.readString(cfgFile)).getAsJsonObject();
        } catch (IOException e) {
            throw new InvalidInputException(cfgFile, "cannot read: " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new InvalidInputException(cfgFile, "not a JSON object: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
        LoraConfig probe = LoraConfig.fromPeftJson(json, cfgFile, Set.of("llm"));
        if (!Files.isRegularFile(weightsFile)) {
            throw new InvalidInputException(weightsFile, "no such file (only the safetensors form is read)");
        }
        Map<String, HostTensor> tensors = SafeTensors.read(weightsFile);
        // module path -> {A, B}; which component each belongs to
        Map<String, HostTensor[]> byPath = new TreeMap<>();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String key = e.getKey();
            String which = key.endsWith(".lora_A.weight") ? "A" : key.endsWith(".lora_B.weight") ? "B" : null;
            if (!key.startsWith(KEY_PREFIX) || which == null) {
                throw new InvalidInputException(weightsFile, "key '" + InvalidInputException.excerpt(key)
                        + "' is not a LoRA matrix (expected " + KEY_PREFIX + "<module>.lora_A.weight / .lora_B.weight)");
            }
            String path = key.substring(KEY_PREFIX.length(), key.length() - ".lora_A.weight".length());
            byPath.computeIfAbsent(path, p -> new HostTensor[2])[which.equals("A") ? 0 : 1] = e.getValue();
        }
        if (byPath.isEmpty()) {
            throw new InvalidInputException(weightsFile, "holds no LoRA matrices");
        }
        Set<String> components = new LinkedHashSet<>();
        Map<String, Map<String, HostTensor[]>> plan = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor[]> e : byPath.entrySet()) {
            String path = e.getKey();
            String component = path.startsWith(PEFT_PREFIX.get("vision")) ? "vision" : "llm";
            String name = path.substring(PEFT_PREFIX.get(component).length());
            NamedBlock base = bases.get(component);
            NamedBlock.Dense dense = base == null ? null : base.linearModules().get(name);
            String keyA = KEY_PREFIX + path + ".lora_A.weight";
            String keyB = KEY_PREFIX + path + ".lora_B.weight";
            if (dense == null) {
                throw new InvalidInputException(weightsFile, "key '" + InvalidInputException.excerpt(
                        e.getValue()[0] != null ? keyA : keyB) + "' names module '" + InvalidInputException.excerpt(path)
                        + "', which the base model (" + component + ") does not have: an adapter for another model?");
            }
            HostTensor a = e.getValue()[0];
            HostTensor b = e.getValue()[1];
            if (a == null || b == null) {
                throw new InvalidInputException(weightsFile, "key '" + (a == null ? keyA : keyB)
                        + "' is missing (its partner is present)");
            }
            long out = dense.weight().getShape().get(0);
            long in = dense.weight().getShape().get(1);
            check(weightsFile, keyA, new long[] {probe.rank(), in}, a.shape());
            check(weightsFile, keyB, new long[] {out, probe.rank()}, b.shape());
            components.add(component);
            plan.computeIfAbsent(component, c -> new LinkedHashMap<>()).put(name, e.getValue());
        }
        LoraConfig config = LoraConfig.fromPeftJson(json, cfgFile, components);
        Map<String, LoraLayers> layers = new LinkedHashMap<>();
        float scale = (float) config.scale();
        for (Map.Entry<String, Map<String, HostTensor[]>> c : plan.entrySet()) {
            NamedBlock base = bases.get(c.getKey());
            if (base.linearModules().values().stream().anyMatch(d -> NamedBlock.adapter(d.weight()) != null)) {
                throw new IllegalArgumentException("the " + c.getKey() + " already carries adapters: detach or merge "
                        + "them first");
            }
            LoraLayers l = new LoraLayers();
            c.getValue().forEach((name, ab) -> l.add(name, base.linearModules().get(name), config.rank(), scale,
                    (float) config.dropout()));
            l.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
            for (LoraLayers.Module m : l.modules().values()) {
                HostTensor[] ab = c.getValue().get(m.name());
                m.a().getArray().set(FloatBuffer.wrap(ab[0].data()));
                m.b().getArray().set(FloatBuffer.wrap(ab[1].data()));
            }
            layers.put(c.getKey(), l);
        }
        return install(config, bases, layers);
    }

    /** {@link #load(Path, Map, NDManager)} onto an {@link InfLlavaModel}'s components. */
    public static Lora load(Path dir, InfLlavaModel model, NDManager manager) {
        return load(dir, components(model), manager);
    }

    private static void check(Path file, String key, long[] expected, long[] found) {
        if (!Arrays.equals(expected, found)) {
            throw new InvalidInputException(file, "key '" + InvalidInputException.excerpt(key) + "': expected shape "
                    + HostTensor.shapeText(expected) + ", found " + HostTensor.shapeText(found)
                    + ": an adapter for another base model?");
        }
    }

    private static NamedBlock base(Map<String, NamedBlock> bases, String component) {
        NamedBlock b = bases.get(component);
        if (b == null) {
            throw new IllegalArgumentException("no component '" + component + "' among " + bases.keySet());
        }
        return b;
    }

    private static Lora install(LoraConfig config, Map<String, NamedBlock> bases, Map<String, LoraLayers> layers) {
        for (Map.Entry<String, LoraLayers> e : layers.entrySet()) {
            for (LoraLayers.Module m : e.getValue().modules().values()) {
                if (NamedBlock.adapter(e.getValue().target(m).weight()) != null) {
                    throw new IllegalArgumentException("layer '" + m.name() + "' of the " + e.getKey()
                            + " already has an adapter: detach or merge it first");
                }
            }
        }
        for (Map.Entry<String, LoraLayers> e : layers.entrySet()) {
            NamedBlock base = bases.get(e.getKey());
            DataType type = base.linearModules().values().iterator().next().weight().getArray().getDataType();
            for (LoraLayers.Module m : e.getValue().modules().values()) {
                if (type != DataType.FLOAT32) { // a half-precision base: adapters in the same type
                    m.a().setArray(m.a().getArray().toType(type, false));
                    m.b().setArray(m.b().getArray().toType(type, false));
                }
                NamedBlock.setAdapter(e.getValue().target(m).weight(), m);
            }
            base.attachExtra(e.getValue());
        }
        return new Lora(config, new LinkedHashMap<>(bases), layers);
    }

    /** The configuration. */
    public LoraConfig config() {
        return config;
    }

    /** Adapter matrices by PEFT key ({@code base_model.model.<module path>.lora_A.weight}). */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        layers.forEach((component, l) -> l.modules().values().forEach(m -> {
            String path = KEY_PREFIX + PEFT_PREFIX.get(component) + m.name();
            out.put(path + ".lora_A.weight", m.a());
            out.put(path + ".lora_B.weight", m.b());
        }));
        return out;
    }

    /** The adapter matrices as float32 host tensors by PEFT key (the content of {@value #WEIGHTS_FILE}). */
    public Map<String, HostTensor> tensors() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        parameters().forEach((k, p) -> {
            NDArray a = p.getArray();
            NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
            tensors.put(k, new HostTensor(a.getShape().getShape(), f.toFloatArray()));
        });
        return tensors;
    }

    /** The text of {@value #CONFIG_FILE} with {@code baseModel} as {@code base_model_name_or_path}. */
    public String configJson(String baseModel) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create()
                .toJson(config.withBaseModel(baseModel).toPeftJson()) + "\n";
    }

    /**
     * Writes PEFT's layout into {@code dir}: {@code adapter_config.json} (with {@code baseModel} as
     * {@code base_model_name_or_path}) and {@code adapter_model.safetensors} (float32). Each file is written to a
     * temporary name and moved into place, so a failure leaves no partial file.
     */
    public void save(Path dir, String baseModel) {
        requireAttached();
        Map<String, HostTensor> tensors = tensors();
        String json = configJson(baseModel);
        try {
            Files.createDirectories(dir);
            Path tmpW = dir.resolve("." + WEIGHTS_FILE + ".tmp");
            Path tmpC = dir.resolve("." + CONFIG_FILE + ".tmp");
            try {
                SafeTensors.write(tmpW, tensors, Map.of("format", "pt"));
                Files.writeString(tmpC, json, StandardCharsets.UTF_8);
                Files.move(tmpW, dir.resolve(WEIGHTS_FILE), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmpC, dir.resolve(CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmpW);
                Files.deleteIfExists(tmpC);
            }
        } catch (IOException e) {
            throw new InvalidInputException(dir, "cannot write the adapter: " + e.getMessage(), e);
        }
    }

    /**
     * Folds every adapter into its base weight, {@code W ← W + (alpha / r) · B A}, and detaches the adapters: the
     * model then computes the same function with plain Linear layers (for inference).
     */
    public void merge() {
        requireAttached();
        try (GradMode off = GradMode.disabled()) {
            for (LoraLayers l : layers.values()) {
                for (LoraLayers.Module m : l.modules().values()) {
                    mergeInto(l.target(m).weight().getArray(), m.a().getArray(), m.b().getArray(), m.scale());
                }
            }
        }
        detach();
    }

    /**
     * LoRA's merged weight (Hu et al. 2021, §4.1): {@code W ← W + scale · B A}, in place.
     *
     * @param w {@code (out, in)}
     * @param a {@code (r, in)}
     * @param b {@code (out, r)}
     */
    static void mergeInto(NDArray w, NDArray a, NDArray b, float scale) {
        NDArray delta = b.toType(DataType.FLOAT32, false).matMul(a.toType(DataType.FLOAT32, false)).mul(scale); // (out, in)
        w.addi(delta.toType(w.getDataType(), false));
        delta.close();
    }

    /** Removes the adapters: the base computes its own function again (its weights were never changed). */
    public void detach() {
        requireAttached();
        layers.forEach((component, l) -> {
            l.modules().values().forEach(m -> NamedBlock.setAdapter(l.target(m).weight(), null));
            bases.get(component).detachExtra(l);
        });
        attached = false;
    }

    private void requireAttached() {
        if (!attached) {
            throw new IllegalStateException("these adapters were merged or detached");
        }
    }
}
