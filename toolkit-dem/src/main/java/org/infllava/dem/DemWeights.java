package org.infllava.dem;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;

/**
 * Named-tensor import and export of a {@link DualPerspectiveEnhancement}, in safetensors with the published code's
 * key names: {@code spatial_embed.<name>} (files saved from the full model carry {@code model.spatial_embed.<name>};
 * both are accepted). PyTorch Linear weights are {@code (out, in)}, as here.
 */
public final class DemWeights {

    /** The key prefix of DEM weights in checkpoints. */
    public static final String PREFIX = "spatial_embed.";

    private DemWeights() {}

    /** Every parameter as a host tensor under {@code spatial_embed.<name>}; the module must be initialised. */
    public static Map<String, HostTensor> export(DualPerspectiveEnhancement dem) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : dem.namedParameters().entrySet()) {
            NDArray a = e.getValue().getArray();
            out.put(PREFIX + e.getKey(), new HostTensor(a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
    }

    /** Writes {@link #export} to a safetensors file, atomically. */
    public static void save(DualPerspectiveEnhancement dem, Path file) {
        SafeTensors.write(file, export(dem), Map.of("format", "pt", "module", "spatial_embed"));
    }

    /** Loads a safetensors file into an initialised module; see {@link #load(DualPerspectiveEnhancement, Map, Path)}. */
    public static void load(DualPerspectiveEnhancement dem, Path file) {
        load(dem, SafeTensors.read(file), file);
    }

    /**
     * Sets every parameter from {@code tensors}. Keys {@code spatial_embed.<name>} or {@code model.spatial_embed.<name>};
     * other keys (the projector, the LLM) are ignored. A missing key, a mis-shaped tensor, or a {@code spatial_embed}
     * key this module does not have is an error naming the key, the expected and the found shape.
     *
     * @param source the file the tensors came from, for messages (may be {@code null})
     */
    public static void load(DualPerspectiveEnhancement dem, Map<String, HostTensor> tensors, Path source) {
        Map<String, Parameter> params = dem.namedParameters();
        Map<String, HostTensor> byName = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("model." + PREFIX)) {
                k = k.substring("model.".length());
            }
            if (k.startsWith(PREFIX)) {
                byName.put(k.substring(PREFIX.length()), e.getValue());
            }
        }
        TreeSet<String> unexpected = new TreeSet<>(byName.keySet());
        unexpected.removeAll(params.keySet());
        if (!unexpected.isEmpty()) {
            throw new InvalidInputException(source, "key '" + PREFIX + unexpected.first() + "' is not a parameter of "
                    + "this DEM (" + unexpected.size() + " such keys; is the preset right?)");
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            HostTensor t = byName.get(e.getKey());
            long[] expected = e.getValue().getShape().getShape();
            if (t == null) {
                throw new InvalidInputException(source, "missing key '" + PREFIX + e.getKey() + "' (expected shape "
                        + HostTensor.shapeText(expected) + ")");
            }
            if (!java.util.Arrays.equals(expected, t.shape())) {
                throw new InvalidInputException(source, "key '" + PREFIX + e.getKey() + "': expected shape "
                        + HostTensor.shapeText(expected) + ", found " + t.shapeText());
            }
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            e.getValue().getArray().set(FloatBuffer.wrap(byName.get(e.getKey()).data()));
        }
    }
}
