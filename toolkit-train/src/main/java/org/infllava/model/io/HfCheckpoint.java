package org.infllava.model.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import ai.djl.nn.Parameter;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.nn.NamedBlock;

/**
 * A Hugging Face model directory: {@code config.json} plus weights in {@code model.safetensors}, or in shards listed
 * by {@code model.safetensors.index.json} ({@code weight_map}: tensor name → shard file), or in several
 * {@code *.safetensors} files without an index. Shards are opened lazily and tensors read one at a time
 * (memory-mapped; F32, F16 and BF16; {@link #loadInto} decodes BF16 on the parameters' device, see {@link Bf16}).
 *
 * <p>Errors name the directory or shard, the key, and the expected and found shapes.
 */
public final class HfCheckpoint implements AutoCloseable {

    private final Path dir;
    private final JsonObject config;
    private final Map<String, Path> weightMap;
    private final Map<Path, SafeTensors> open = new LinkedHashMap<>();

    private HfCheckpoint(Path dir, JsonObject config, Map<String, Path> weightMap) {
        this.dir = dir;
        this.config = config;
        this.weightMap = weightMap;
    }

    /** Opens a model directory; reads {@code config.json} and the weight map (shard headers, not data). */
    public static HfCheckpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir, Files.exists(dir) ? "not a directory (a Hugging Face model directory "
                    + "with config.json and *.safetensors is expected)" : "no such directory");
        }
        JsonObject config = readJson(dir.resolve("config.json"));
        Map<String, Path> map = new LinkedHashMap<>();
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            JsonObject idx = readJson(index);
            if (!idx.has("weight_map") || !idx.get("weight_map").isJsonObject()) {
                throw new InvalidInputException(index, "no weight_map object");
            }
            for (Map.Entry<String, JsonElement> e : idx.getAsJsonObject("weight_map").entrySet()) {
                String key = InvalidInputException.excerpt(e.getKey());
                JsonElement v = e.getValue();
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                    throw new InvalidInputException(index, "key '" + key + "': the shard is not a file name");
                }
                String name = InvalidInputException.excerpt(v.getAsString());
                Path shard;
                try {
                    shard = dir.resolve(v.getAsString()).normalize();
                } catch (java.nio.file.InvalidPathException ex) {
                    throw new InvalidInputException(index, "shard '" + name + "' of key '" + key + "' is not a valid "
                            + "file name");
                }
                if (shard.getFileName() == null || !dir.normalize().equals(shard.getParent())
                        || !shard.getFileName().toString().endsWith(".safetensors")) {
                    throw new InvalidInputException(index, "shard '" + name + "' of key '" + key + "' is not a "
                            + "*.safetensors file of this directory");
                }
                if (!Files.isRegularFile(shard)) {
                    throw new InvalidInputException(index, "shard '" + name + "' of key '" + key + "' does not exist");
                }
                map.put(e.getKey(), shard);
            }
            // Files the index does not list (an adapter saved beside the LLM shards) join the map.
            java.util.Set<Path> listed = new java.util.HashSet<>(map.values());
            for (Path f : safetensorsFiles(dir)) {
                if (!listed.contains(f)) {
                    addFile(map, f);
                }
            }
        } else {
            List<Path> files = safetensorsFiles(dir);
            if (files.isEmpty()) {
                throw new InvalidInputException(dir, "no *.safetensors weights and no model.safetensors.index.json");
            }
            for (Path f : files) {
                addFile(map, f);
            }
        }
        return new HfCheckpoint(dir, config, map);
    }

    private static List<Path> safetensorsFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    private static void addFile(Map<String, Path> map, Path f) {
        try (SafeTensors st = SafeTensors.open(f)) {
            for (String name : st.names()) {
                Path prev = map.put(name, f);
                if (prev != null) {
                    throw new InvalidInputException(f, "key '" + name + "' also in " + prev.getFileName());
                }
            }
        }
    }

    private static JsonObject readJson(Path file) {
        if (!Files.exists(file)) {
            throw new InvalidInputException(file, "missing (a Hugging Face model directory needs it)");
        }
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file));
            if (!parsed.isJsonObject()) {
                throw new InvalidInputException(file, "not a JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new InvalidInputException(file, "not valid JSON: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
    }

    /** The directory. */
    public Path directory() {
        return dir;
    }

    /** The parsed {@code config.json}. */
    public JsonObject config() {
        return config.deepCopy();
    }

    /** Every tensor name. */
    public Set<String> names() {
        return weightMap.keySet();
    }

    /** The stored shape of a tensor. */
    public long[] shape(String name) {
        Path shard = weightMap.get(name);
        if (shard == null) {
            throw new InvalidInputException(dir, "missing key '" + name + "'");
        }
        SafeTensors.TensorInfo info = open.computeIfAbsent(shard, SafeTensors::open).info(name);
        if (info == null) {
            throw new InvalidInputException(shard, "missing key '" + name + "' listed for this shard by the index");
        }
        return info.shape().clone();
    }

    /** Whether a tensor exists. */
    public boolean has(String name) {
        return weightMap.containsKey(name);
    }

    /**
     * Reads a tensor and checks its shape.
     *
     * @throws InvalidInputException naming the key and the expected shape when it is missing, or the shard, key,
     *     expected and found shapes when they differ
     */
    public HostTensor tensor(String name, long... expectedShape) {
        return checked(name, expectedShape).read(name);
    }

    /** The shard holding {@code name}, after the checks of {@link #tensor}. */
    private SafeTensors checked(String name, long... expectedShape) {
        Path shard = weightMap.get(name);
        if (shard == null) {
            throw new InvalidInputException(dir, "missing key '" + name + "' (expected shape "
                    + HostTensor.shapeText(expectedShape) + ")");
        }
        SafeTensors st = open.computeIfAbsent(shard, SafeTensors::open);
        SafeTensors.TensorInfo info = st.info(name);
        if (info == null) {
            throw new InvalidInputException(shard, "missing key '" + name + "' listed for this shard by the index");
        }
        if (!Arrays.equals(info.shape(), expectedShape)) {
            throw new InvalidInputException(shard, "key '" + name + "': expected shape "
                    + HostTensor.shapeText(expectedShape) + ", found " + HostTensor.shapeText(info.shape()));
        }
        return st;
    }

    /**
     * Sets every parameter of an initialised block from tensors named {@code prefix + parameterName}.
     *
     * @param renames parameter name → checkpoint name, for the few that differ (e.g. tied embeddings); may be empty
     */
    public void loadInto(NamedBlock block, String prefix, Map<String, String> renames) {
        for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
            String key = renames.getOrDefault(e.getKey(), prefix + e.getKey());
            long[] shape = e.getValue().getShape().getShape();
            SafeTensors st = checked(key, shape);
            ai.djl.ndarray.NDArray target = e.getValue().getArray();
            if ("BF16".equals(st.info(key).dtype())) {
                // Uploaded as stored (2 bytes a value) and decoded on the parameter's device: no host conversion.
                try (org.infllava.model.GradMode off = org.infllava.model.GradMode.disabled();
                        ai.djl.ndarray.NDArray v = Bf16.decode(target.getManager(), st.raw(key),
                                new ai.djl.ndarray.types.Shape(shape))) {
                    target.set(new ai.djl.ndarray.index.NDIndex("..."), v.toType(target.getDataType(), false));
                }
            } else {
                target.set(FloatBuffer.wrap(st.read(key).data()));
            }
        }
    }

    @Override
    public void close() {
        open.values().forEach(SafeTensors::close);
        open.clear();
    }
}
