package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.io.ImageFiles;
import org.infllava.model.InfLlavaModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Every registered visual front-end as a lab model: its cost per scene, and a short training run that answers. */
class FrontEndLabTest {

    @TempDir
    Path dir;

    /**
     * On the lab's 84×84 scenes with the 28-px, 4-px-patch tower (g = 7, 49 patches per view):
     * <ul>
     *   <li>llava-1.5: one view, 49 tokens;</li>
     *   <li>llava-next-anyres: pinpoints 28×56, 56×28, 56×56, 84×28, 28×84; 56×56 keeps 84² at scale 2/3 with no
     *       waste (the others keep 28²), so 2×2 tiles + base = 5 views; map 14×14, aspect 1 = 1 → nothing unpadded:
     *       49 + 14·(14 + 1) = 259;</li>
     *   <li>internvl-dynamic: ratios 1:1 tie at 1×1, 2×2, 3×3 and each larger grid wins while 84² > ½·28²·i·j
     *       (7056 > 3528 at 3×3), so 9 tiles + thumbnail = 10 views; the odd 7×7 grid is zero-padded to 8×8:
     *       10·4² = 160;</li>
     *   <li>s2: 1 + 4 + 9 = 14 views, pooled to 49 tokens;</li>
     *   <li>monkey: 2×2 windows + the whole image = 5 views, 5·49 = 245;</li>
     *   <li>inf-dcm, inf-dcm-auto (84/28 = 3): 9 local + 9 global + low-res = 19 views, the DEM's 49 tokens.</li>
     * </ul>
     */
    @Test
    void costsPerSceneFollowEachFrontEnd() {
        LabSettings s = LabSettings.defaults();
        Map<String, Lab.Cost> expected = Map.of("llava-1.5", new Lab.Cost(49, 1),
                "llava-next-anyres", new Lab.Cost(259, 5), "internvl-dynamic", new Lab.Cost(160, 10),
                "s2", new Lab.Cost(49, 14), "monkey", new Lab.Cost(245, 5), "inf-dcm", new Lab.Cost(49, 19),
                "inf-dcm-auto", new Lab.Cost(49, 19));
        List<LabModel> models = AblationTable.FRONT_END.models();
        assertEquals(org.infllava.frontend.VisualFrontEnds.names(), models.stream().map(LabModel::name).toList());
        for (LabModel m : models) {
            assertEquals(expected.get(m.name()), Lab.cost(m, s), m.name());
        }
        // The lab's own models cost what they did: one view of 49, or 19 views and the DEM's 49.
        assertEquals(new Lab.Cost(49, 1), Lab.cost(LabModel.llava15(), s));
        assertEquals(new Lab.Cost(49, 19), Lab.cost(LabModel.paper(), s));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabModel.frontEnd("nope"));
        assertTrue(e.getMessage().contains("llava-next-anyres"), e.getMessage());
    }

    /**
     * Every front-end trains with the same tower and budget and answers every test question; its saved model
     * directory loads back and gives the same visual tokens; the front-end table prints tokens and passes beside the
     * accuracy.
     */
    @Test
    void everyFrontEndTrainsAnswersAndReloads() {
        LabSettings s = LabSettings.builder().optTrainScenes(8).optTestPerTask(2).optTasks(List.of("glyph"))
                .optQuestionsPerTask(1).optTowerSteps(2).optSteps(2).optBatchSize(2).optControl(false).build();
        List<LabModel> models = AblationTable.FRONT_END.models();
        Lab lab = Lab.builder().optSettings(s).optModels(models).build();
        Path data = lab.writeData(dir.resolve("data"));
        Path vision = dir.resolve("stage0").resolve("vision");
        lab.pretrainTower(data, vision, org.infllava.train.ProgressBar.of(new java.io.PrintWriter(
                java.io.Writer.nullWriter()), 1));
        List<Ablation.Point> points = new java.util.ArrayList<>();
        for (LabModel m : models) {
            LabResults.ModelResult r = lab.trainAndScore(m, data, vision, dir.resolve(m.name()),
                    org.infllava.train.ProgressBar.of(new java.io.PrintWriter(java.io.Writer.nullWriter()), 1));
            assertEquals(2, r.overall().n(), m.name() + " answered every test question");
            assertTrue(Double.isFinite(r.lastLoss()), m.name() + " loss " + r.lastLoss());
            points.add(new Ablation.Point(m.name(), 1, "all", r.overall().n(), r.overall().accuracy()));
            points.add(new Ablation.Point(m.name(), 1, "fine-detail", 0, r.fineDetail()));
            try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
                InfLlavaModel loaded = InfLlavaModel.fromPretrained(dir.resolve(m.name()).resolve("model"), null, nd);
                assertEquals(m.name(), loaded.frontEnd().name());
                var img = ImageFiles.read(org.infllava.data.LlavaDataset.load(data.resolve("test.json"), data, true)
                        .rows().get(0).images().get(0));
                long tokens = loaded.visualTokens(new ParameterStore(nd, false), nd, img, false).getShape().get(1);
                assertEquals(Lab.cost(m, s).visualTokens(), tokens, m.name());
            }
        }
        Table t = Ablation.printableWithCosts(Ablation.summary(points, s.tasks()), s.tasks(), AblationTable.FRONT_END,
                s);
        assertEquals(List.of("model", "visual tokens", "encoder passes", "fine-detail", "all", "glyph*"),
                t.columnNames());
        assertEquals(259L, t.longColumn("visual tokens").get(1));
        assertEquals(10, t.intColumn("encoder passes").get(2));
    }
}
