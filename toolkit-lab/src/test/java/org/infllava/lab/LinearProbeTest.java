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
     * A tower pretrained briefly on the DCM views; probes read the token over each object. A small object's colour
     * (5 classes, chance 0.2) survives even the 28-px view, so both variants' probes must find it — which also checks
     * that the token over an object is the one read. (That the local sub-images carry the glyphs and shapes the
     * low-resolution view loses needs a longer stage 0 than a unit test affords; docs/lab.md reports it from the
     * default run.)
     */
    @Test
    void probesReadTheTokenOverEachObjectForEveryVariantAndFact() {
        ClipVisionConfig tower = LabSettings.defaults().tower();
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
                    .optSteps(600).optBatchSize(16).optSeed(5).build().run(m, s -> { });
            t.encoder().save(dir.resolve("vision"));
            results = LinearProbe.builder().setLab(lab).setVisionDir(dir.resolve("vision")).optVariants(variants)
                    .build().run(train, test, m, n -> { });
        }
        assertEquals(2 * LinearProbe.FACTS.size() * 2, results.size());
        LinearProbe.Result count = find(results, "low-res", "count", "logistic");
        assertEquals(80, count.train()); // one count example per scene
        assertEquals(20, count.test());
        assertEquals(80, find(results, "dcm-local", "glyph", "linear-sgd").train()); // one glyph tile per scene
        for (String v : variants.keySet()) {
            double colour = find(results, v, "colour", "logistic").accuracy();
            assertTrue(colour > 0.6, v + " colour probe accuracy " + colour);
            LinearProbe.Result shape = find(results, v, "shape", "linear-sgd");
            assertEquals(find(results, v, "colour", "linear-sgd").train(), shape.train()); // one per small object
            assertTrue(shape.macroF1() >= 0 && shape.macroF1() <= 1);
        }
        assertEquals(results.size(), LinearProbe.table(results).rowCount());
    }

    private static LinearProbe.Result find(List<LinearProbe.Result> rs, String variant, String fact, String trainer) {
        return rs.stream().filter(r -> r.variant().equals(variant) && r.fact().equals(fact)
                && r.trainer().equals(trainer)).findFirst().orElseThrow();
    }
}
