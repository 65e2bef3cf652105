package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import org.infllava.dem.WindowCrossAttention;
import org.infllava.eval.PairedComparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibration rows (blind, ceiling), the PAPER + residual variant, and rows trained side by side. */
class CalibrationRowsTest {

    @TempDir
    Path dir;

    /**
     * On the lab's 84-px scene with the 28-px, 4-px-patch tower (7 × 7 = 49 patches per view): blind sees one
     * constant token from one encoded view; the ceiling 9 local sub-images × 49 = 441 tokens (the whole 84-px scene
     * at the tower's native scale, 21 × 21 patches); PAPER + residual costs what PAPER costs (19 views, 49 tokens).
     */
    @Test
    void costs() {
        LabSettings s = LabSettings.defaults();
        assertEquals(new Lab.Cost(1, 1), Lab.cost(LabModel.blind(), s));
        assertEquals(new Lab.Cost(441, 9), Lab.cost(LabModel.ceiling(), s));
        assertEquals(new Lab.Cost(49, 19), Lab.cost(LabModel.paperResidual(), s));
        assertEquals("inf-llava-paper-residual", LabModel.paperResidual().name());
        assertEquals(WindowCrossAttention.Residual.RAW_QUERY, LabModel.paperResidual().dem().create(48, 3).config()
                .residual());
        assertEquals(WindowCrossAttention.Residual.NONE, LabModel.paper().dem().create(48, 3).config().residual());
    }

    /** Blind's token is the same (all zero) for two different feature maps: nothing about the image gets through. */
    @Test
    void blindCarriesNothing() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            BlindAssembler b = new BlindAssembler();
            var layout = org.infllava.crop.CropStrategies.get("llava-1.5", 28).layout(84, 84);
            NDArray f1 = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 49, 8));
            NDArray f2 = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 49, 8)).add(3);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray t1 = b.assemble(ps, f1, layout, false);
            NDArray t2 = b.assemble(ps, f2, layout, false);
            assertArrayEquals(new long[] {1, 1, 8}, t1.getShape().getShape());
            assertArrayEquals(new float[8], t1.toFloatArray(), 0f);
            assertArrayEquals(t1.toFloatArray(), t2.toFloatArray(), 0f);
        }
    }

    /**
     * A tiny lab with blind, the floor and the ceiling, two rows at a time: every row answers every test question
     * (with the control), keeps its per-question answers in the test split's order, and the paired statistics and
     * the floor-to-ceiling position come out of them.
     */
    @Test
    void rowsSideBySideKeepTheirAnswers() {
        LabSettings s = LabSettings.builder().optTrainScenes(8).optTestPerTask(3).optTasks(List.of("glyph", "count"))
                .optQuestionsPerTask(1).optTowerSteps(2).optSteps(2).optBatchSize(2).build();
        LabResults r = Lab.builder().optSettings(s).optModels(List.of(LabModel.blind(), LabModel.llava15(),
                LabModel.ceiling())).optParallelRows(2).build().run(dir);
        assertEquals(List.of("blind", "llava-1.5", "ceiling"), r.models().stream().map(LabResults.ModelResult::model)
                .toList());
        for (LabResults.ModelResult m : r.models()) {
            assertEquals(List.of("glyph", "glyph", "glyph", "count", "count", "count"), m.answers().tasks(), m.model());
            assertEquals(6, m.answers().control().length);
            int k = 0;
            for (boolean b : m.answers().correct("glyph")) {
                k += b ? 1 : 0;
            }
            assertEquals(m.byTask().get("glyph").correct(), k, m.model());
        }
        PairedComparison ceiling = r.versusBaseline("ceiling", LabResults.FINE_DETAIL).orElseThrow();
        assertEquals(6, ceiling.n());
        assertEquals(r.fineDetailPool(r.model("ceiling")).accuracy() - r.fineDetailPool(r.model("llava-1.5"))
                .accuracy(), ceiling.diff(), 1e-12);
        assertTrue(r.paired().contains("| ceiling |"), r.paired());

        // blind trained beside stage 0, on a stand-in tower (it reads no image): the same losses and answers as blind
        // trained afterwards on the stage-0 tower, with the child's one intra-op thread
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("blind/stand-in-tower/config.json")));
        Lab lab = Lab.builder().optSettings(s).optModels(List.of(LabModel.blind())).optParallelRows(1).build();
        LabResults.ModelResult again;
        try (org.infllava.model.IntraOpThreads one = org.infllava.model.IntraOpThreads.exactly(1)) {
            again = lab.trainAndScore(LabModel.blind(), dir.resolve("data"), dir.resolve("stage0/vision"),
                    dir.resolve("blind-after-stage0"), org.infllava.train.ProgressBar.of(
                            new java.io.PrintWriter(java.io.Writer.nullWriter()), 1));
        }
        LabResults.ModelResult early = r.model("blind");
        assertEquals(early.firstLoss(), again.firstLoss(), 0.0);
        assertEquals(early.lastLoss(), again.lastLoss(), 0.0);
        assertArrayEquals(early.answers().correct(), again.answers().correct());
        assertArrayEquals(early.answers().control(), again.answers().control());
    }

    /** Two runs pooled: counts add up, answers concatenate, and the paired test uses every question of both. */
    @Test
    void poolingConcatenatesSeeds() {
        LabSettings s = LabSettings.builder().optTasks(List.of("glyph")).build();
        LabResults a = run(s, new boolean[] {true, false}, new boolean[] {true, true});
        LabResults b = run(s, new boolean[] {false, false, true}, new boolean[] {true, true, true});
        LabResults p = LabResults.pool(List.of(a, b));
        assertEquals(5, p.model("llava-1.5").byTask().get("glyph").n());
        assertEquals(2, p.model("llava-1.5").byTask().get("glyph").correct());
        assertEquals(5, p.model("inf-llava-paper").byTask().get("glyph").correct());
        PairedComparison c = p.versusBaseline("inf-llava-paper", "glyph").orElseThrow();
        assertEquals(3, c.onlyA()); // paper right, baseline wrong: seed a q2, seed b q1 and q2
        assertEquals(0.6, c.diff(), 1e-12);
        assertEquals(0.25, c.pValue(), 1e-15); // 2·(1/2)³
    }

    private static LabResults run(LabSettings s, boolean[] base, boolean[] paper) {
        List<String> tasks = java.util.Collections.nCopies(base.length, "glyph");
        return new LabResults(s, List.of(model("llava-1.5", tasks, base), model("inf-llava-paper", tasks, paper)), 1,
                1, java.util.Map.of(), 1);
    }

    private static LabResults.ModelResult model(String name, List<String> tasks, boolean[] c) {
        int k = 0;
        for (boolean b : c) {
            k += b ? 1 : 0;
        }
        double[] ci = org.infllava.eval.Accuracy.wilson(k, c.length);
        var res = new org.infllava.eval.Accuracy.Result("glyph", c.length, k, (double) k / c.length, ci[0], ci[1]);
        return new LabResults.ModelResult(name, java.util.Map.of("glyph", res), res, null, 1, 1, 1,
                new LabResults.Answers(tasks, c, null));
    }
}
