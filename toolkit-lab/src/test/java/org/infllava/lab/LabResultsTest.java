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
        assertEquals("model,task,n,accuracy,ci_low,ci_high", lines.get(0));
        assertEquals(1 + 2 * 3, lines.size());
        double[] ci = Accuracy.wilson(15, 20);
        assertEquals(String.format(java.util.Locale.ROOT, "inf-llava-paper,glyph,20,0.7500,%.4f,%.4f", ci[0], ci[1]),
                lines.get(4));
        assertTrue(Files.size(dir.resolve("accuracy.png")) > 1000);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| inf-llava-paper | 0.75 ["), md);
        assertTrue(md.contains("0.75 / 0.42"), md); // 45/60 with its image, 25/60 with another scene's
    }

    @Test
    void chartHasOneSeriesPerModelWithTheAccuracies() {
        CategoryChart c = results().chart();
        CategorySeries s = c.getSeriesMap().get("inf-llava-paper");
        assertEquals(List.of("glyph", "relation", "exists"), s.getXData());
        assertEquals(List.of(0.75, 0.65, 0.85), s.getYData().stream().map(Number::doubleValue).toList());
        assertEquals(2, c.getSeriesMap().size());
    }

    @Test
    void tablesAreLongAndWide() {
        LabResults r = results();
        assertEquals(6, r.table().rowCount());
        assertEquals(List.of("model", "task", "n", "correct", "accuracy", "ci_low", "ci_high"), r.table()
                .columnNames());
        assertEquals(2, r.summary().rowCount());
        assertEquals("glyph*", r.summary().column(1).name());
        assertEquals("relation", r.summary().column(2).name());
    }
}
