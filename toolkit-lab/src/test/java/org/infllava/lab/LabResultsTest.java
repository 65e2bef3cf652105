package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.eval.Accuracy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;

class LabResultsTest {

    @TempDir
    Path dir;

    private static Accuracy.Result result(String task, int n, int correct) {
        double[] ci = Accuracy.wilson(correct, n);
        return new Accuracy.Result(task, n, correct, (double) correct / n, ci[0], ci[1]);
    }

    private static LabResults results() {
        LabSettings s = LabSettings.builder().optTasks(List.of("glyph", "relation", "exists")).build();
        Map<String, Accuracy.Result> a = new LinkedHashMap<>();
        a.put("glyph", result("glyph", 20, 5));
        a.put("relation", result("relation", 20, 12));
        a.put("exists", result("exists", 20, 11));
        Map<String, Accuracy.Result> b = new LinkedHashMap<>();
        b.put("glyph", result("glyph", 20, 15));
        b.put("relation", result("relation", 20, 13));
        b.put("exists", result("exists", 20, 17));
        return new LabResults(s, List.of(
                new LabResults.ModelResult("llava-1.5", a, result("all", 60, 28), result("all", 60, 27), 4, 1, 10),
                new LabResults.ModelResult("inf-llava-paper", b, result("all", 60, 45), result("all", 60, 25), 4, 0.5,
                        20)), 3.7, 0.2, Map.of(TowerPretraining.View.LOCAL, 0.8), 30);
    }

    /** Fine-detail mean over glyph and exists only: (5 + 11) / 40 = 0.40 and (15 + 17) / 40 = 0.80. */
    @Test
    void fineDetailAveragesTheFineDetailTasksOnly() {
        LabResults r = results();
        assertEquals(0.40, r.model("llava-1.5").fineDetail(), 1e-12);
        assertEquals(0.80, r.model("inf-llava-paper").fineDetail(), 1e-12);
    }

    /** results.csv has the columns, one line per model and task, accuracy in 0..1 with Wilson bounds. */
    @Test
    void csvHasOneLinePerModelAndTask() throws IOException {
        results().writeTo(dir);
        List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals("model,task,n,accuracy,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high,p_value",
                lines.get(0));
        assertEquals(1 + 2 * 4, lines.size()); // three tasks and the fine-detail pool per model
        double[] ci = Accuracy.wilson(15, 20);
        assertEquals(String.format(java.util.Locale.ROOT, "inf-llava-paper,glyph,20,0.7500,%.4f,%.4f,,,,", ci[0],
                ci[1]), lines.get(5)); // no per-question answers kept: no paired columns
        double[] pool = Accuracy.wilson(32, 40);
        assertEquals(String.format(java.util.Locale.ROOT, "inf-llava-paper,fine-detail,40,0.8000,%.4f,%.4f,,,,",
                pool[0], pool[1]), lines.get(8));
        assertTrue(Files.size(dir.resolve("accuracy.png")) > 1000);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| inf-llava-paper | 0.75 ["), md);
        assertTrue(md.contains("0.75 / 0.42"), md); // 45/60 with its image, 25/60 with another scene's
    }

    @Test
    void chartHasOneSeriesPerModelWithTheAccuracies() {
        CategoryChart c = results().chart();
        CategorySeries s = c.getSeriesMap().get("inf-llava-paper");
        // the three tasks and the fine-detail pool (glyph and exists: 32 of 40)
        assertEquals(List.of("glyph", "relation", "exists", "fine-detail"), s.getXData());
        assertEquals(List.of(0.75, 0.65, 0.85, 0.80), s.getYData().stream().map(Number::doubleValue).toList());
        assertEquals(2, c.getSeriesMap().size());
    }

    @Test
    void tablesAreLongAndWide() {
        LabResults r = results();
        assertEquals(8, r.table().rowCount());
        assertEquals(List.of("model", "task", "n", "correct", "accuracy", "ci_low", "ci_high", "diff_vs_baseline",
                "diff_ci_low", "diff_ci_high", "p_value"), r.table().columnNames());
        assertEquals(2, r.summary().rowCount());
        assertEquals("glyph*", r.summary().column(1).name());
        assertEquals("relation", r.summary().column(2).name());
    }

    private static LabResults.ModelResult withAnswers(String name, LabSettings s, List<String> tasks, boolean[] own,
            boolean[] other) {
        LabResults.Answers a = new LabResults.Answers(tasks, own, other);
        Map<String, Accuracy.Result> byTask = new LinkedHashMap<>();
        for (String t : s.tasks()) {
            boolean[] c = a.correct(t);
            int k = 0;
            for (boolean x : c) {
                k += x ? 1 : 0;
            }
            byTask.put(t, result(t, c.length, k));
        }
        return new LabResults.ModelResult(name, byTask, result("all", own.length, 0), null, 1, 1, 1, a);
    }

    /**
     * Paired columns from per-question answers. Questions: glyph ×4, relation ×2, exists ×4. Baseline right on
     * glyph 1, relation 1, exists 1-2; the paper model on glyph 1-3, relation 1-2, exists 1-4. Fine-detail pool (8
     * questions): both right 3, paper only 4, baseline only 0, neither 1 → diff +0.5, McNemar 2·(1/2)⁴ = 0.125,
     * Newcombe [0.0293, 0.7593] (src/test/python/paired_goldens.py: newcombe(3, 4, 0, 1)). Control of the paper model
     * (own vs other over all 10): cells 2, 7, 0, 1 → drop +0.7, p = 2·(1/2)⁷ = 0.015625, Newcombe [0.2658, 0.8652].
     */
    @Test
    void pairedStatisticsAgainstTheBaseline() throws IOException {
        LabSettings s = LabSettings.builder().optTasks(List.of("glyph", "relation", "exists")).build();
        List<String> tasks = List.of("glyph", "glyph", "glyph", "glyph", "relation", "relation", "exists", "exists",
                "exists", "exists");
        boolean T = true;
        boolean F = false;
        LabResults r = new LabResults(s, List.of(
                withAnswers("llava-1.5", s, tasks, new boolean[] {T, F, F, F, T, F, T, T, F, F},
                        new boolean[] {T, F, F, F, T, F, T, T, F, F}),
                withAnswers("inf-llava-paper", s, tasks, new boolean[] {T, T, T, F, T, T, T, T, T, T},
                        new boolean[] {F, F, T, F, F, T, F, F, F, F})), 1, 1, Map.of(), 1);
        var pool = r.versusBaseline("inf-llava-paper", LabResults.FINE_DETAIL).orElseThrow();
        assertEquals(3, pool.both());
        assertEquals(4, pool.onlyA());
        assertEquals(0.5, pool.diff(), 1e-12);
        assertEquals(0.125, pool.pValue(), 1e-15);
        assertEquals(0.0292940905421130, pool.ciLow(), 1e-9);
        assertEquals(0.7593093042204069, pool.ciHigh(), 1e-9);
        assertTrue(r.versusBaseline("llava-1.5", LabResults.FINE_DETAIL).isEmpty());
        var control = r.ownVersusOther("inf-llava-paper").orElseThrow();
        assertEquals(0.7, control.diff(), 1e-12);
        assertEquals(1.0 / 64, control.pValue(), 1e-15);
        assertEquals(0.2658266097008862, control.ciLow(), 1e-9);
        // the baseline's control: same answers about either image → no discordant pair, p = 1
        assertEquals(1.0, r.ownVersusOther("llava-1.5").orElseThrow().pValue(), 0);

        r.writeTo(dir);
        List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals("inf-llava-paper,fine-detail,8,0.8750,"
                + String.format(java.util.Locale.ROOT, "%.4f,%.4f", Accuracy.wilson(7, 8)[0], Accuracy.wilson(7, 8)[1])
                + ",0.5000,0.0293,0.7593,0.125", lines.get(8));
        assertTrue(lines.get(4).startsWith("llava-1.5,fine-detail,8,0.3750,") && lines.get(4).endsWith(",,,,"),
                lines.get(4));
        List<String> c = Files.readAllLines(dir.resolve("control.csv"));
        assertEquals("model,n,own,other,drop,drop_ci_low,drop_ci_high,p_value", c.get(0));
        assertEquals("inf-llava-paper,10,0.9000,0.2000,0.7000,0.2658,0.8652,0.0156", c.get(2));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| inf-llava-paper | +50.0 [+2.9, +75.9] p=0.1250 |"), md);
    }
}
