package org.infllava.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import ai.djl.ndarray.NDManager;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DemWeights;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.io.HostTensor;
import org.infllava.io.SafeTensors;

/**
 * Tiny models for tests, written in the published layouts from the fixtures of make_model_goldens.py; shared with
 * the modules above through toolkit-train's test jar.
 */
public final class TinyModels {

    private TinyModels() {}

    /**
     * A published-style INF-LLaVA directory: the tiny LLaMA shards and tokenizer, a config with the LLaVA fields,
     * and {@code adapter.safetensors} holding {@code model.mm_projector.*} (the projector fixture) and
     * {@code model.spatial_embed.*} (a REFERENCE DEM at d = 32 from {@code demSeed}).
     *
     * @param golden the fixture directory (toolkit-train/src/test/resources/golden)
     * @return the DEM whose weights were written
     */
    public static DualPerspectiveEnhancement writePublishedDir(Path golden, Path modelDir, NDManager manager,
            long demSeed) throws IOException {
        Files.createDirectories(modelDir);
        try (var s = Files.list(golden.resolve("llama"))) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals("config.json")) {
                    Files.copy(p, modelDir.resolve(p.getFileName()));
                }
            }
        }
        String config = Files.readString(golden.resolve("llama/config.json")).strip();
        Files.writeString(modelDir.resolve("config.json"), config.substring(0, config.length() - 1)
                + ", \"mm_hidden_size\": 32, \"mm_projector_type\": \"mlp2x_gelu\", \"mm_vision_select_layer\": -2,"
                + " \"mm_vision_select_feature\": \"patch\"}");
        Map<String, HostTensor> adapter = new LinkedHashMap<>();
        SafeTensors.read(golden.resolve("projector.safetensors")).forEach((k, v) -> adapter.put("model." + k, v));
        DualPerspectiveEnhancement dem = DemPresets.reference(32, 3, 3, 8);
        dem.initialize(manager, demSeed);
        DemWeights.export(dem).forEach((k, v) -> adapter.put("model." + k, v));
        SafeTensors.write(modelDir.resolve("adapter.safetensors"), adapter, Map.of());
        return dem;
    }
}
