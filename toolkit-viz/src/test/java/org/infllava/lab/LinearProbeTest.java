package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.infllava.data.synth.HiResSynth;
import org.infllava.data.synth.Scene;
import org.infllava.model.ClipVisionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearProbeTest {

    @TempDir
    Path dir;

    /**
     * A tower pretrained briefly on the DCM views; the shape of a small object (square, disc or triangle, chance 1/3)
     * is linearly readable from the DCM local features, which see objects at full resolution, and much less from the
     * low-resolution view, where a 7-px object is 2-3 px wide.
     */
    @Test
    void localFeaturesCarryTheShapesTheLowResolutionViewLoses() {
        ClipVisionConfig tower = new ClipVisionConfig(24, 48, 2, 2, 3, 28, 4, "quick_gelu", 1e-5f);
        Random r = new Random(11);
        List<Scene> train = new ArrayList<>();
        List<Scene> test = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            (i < 80 ? train : test).add(HiResSynth.scene(r));
        }
        LabSettings settings = LabSettings.builder().optTower(tower).build();
        Lab lab = Lab.builder().optSettings(settings).build();
        Map<String, LabModel> variants = new LinkedHashMap<>();
        variants.put("low-res", LinearProbe.standardVariants().get("low-res"));
        variants.put("dcm-local", LinearProbe.standardVariants().get("dcm-local"));
        List<LinearProbe.Result> results;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            TowerPretraining.Result t = TowerPretraining.builder().setEncoderConfig(tower).setScenes(train)
                    .optSteps(200).optBatchSize(16).optSeed(5).build().run(m, s -> { });
            t.encoder().save(dir.resolve("vision"));
            results = LinearProbe.builder().setLab(lab).setVisionDir(dir.resolve("vision")).optVariants(variants)
                    .build().run(train, test, m, n -> { });
        }
        assertEquals(2 * LinearProbe.FACTS.size() * 2, results.size());
        LinearProbe.Result count = find(results, "low-res", "count", "logistic");
        assertEquals(80, count.train()); // one count example per scene
        assertEquals(20, count.test());
        assertEquals(80, find(results, "dcm-local", "glyph", "linear-sgd").train()); // one glyph tile per scene
        double local = find(results, "dcm-local", "shape", "logistic").accuracy();
        double low = find(results, "low-res", "shape", "logistic").accuracy();
        assertTrue(local > 1.0 / 3 + 0.15, "dcm-local shape accuracy " + local);
        assertTrue(local > low + 0.1, "dcm-local " + local + " vs low-res " + low);
        assertEquals(results.size(), LinearProbe.table(results).rowCount());
    }

    private static LinearProbe.Result find(List<LinearProbe.Result> rs, String variant, String fact, String trainer) {
        return rs.stream().filter(r -> r.variant().equals(variant) && r.fact().equals(fact)
                && r.trainer().equals(trainer)).findFirst().orElseThrow();
    }
}
