package org.infllava.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    @TempDir
    Path dir;

    private static List<Double> list(double[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    /** Lines as Trainer.appendMetrics writes them (gson, key order step, loss, lr, grad_norm, tokens, seconds). */
    @Test
    void trainingCurvePlotsLossAndLrAgainstStep() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, """
                {"step":1,"loss":4.5,"lr":1.0E-4,"grad_norm":2.5,"tokens":128,"seconds":0.5}
                {"step":2,"loss":3.25,"lr":2.0E-4,"grad_norm":1.5,"tokens":256,"seconds":1.0}

                {"step":4,"loss":2.0,"lr":1.5E-4,"grad_norm":1.0,"tokens":512,"seconds":2.0}
                """);
        XYChart c = Charts.trainingCurve(f);
        XYSeries loss = c.getSeriesMap().get(Charts.LOSS);
        XYSeries lr = c.getSeriesMap().get(Charts.LR);
        assertEquals(List.of(1.0, 2.0, 4.0), list(loss.getXData()));
        assertEquals(List.of(4.5, 3.25, 2.0), list(loss.getYData()));
        assertEquals(List.of(1.0, 2.0, 4.0), list(lr.getXData()));
        assertEquals(List.of(1e-4, 2e-4, 1.5e-4), list(lr.getYData()));
        assertEquals(0, loss.getYAxisGroup());
        assertEquals(1, lr.getYAxisGroup()); // lr on the second axis: its scale is 4 orders below the loss
        assertEquals(2.5, Charts.readMetrics(f).get(0).gradNorm());
        assertEquals(512, Charts.readMetrics(f).get(2).tokens());
    }

    @Test
    void badMetricsLineIsNamed() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, "{\"step\":1,\"loss\":4.5,\"lr\":1e-4}\n{\"step\":2}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Charts.trainingCurve(f));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    /** The lab's results.csv format (LabResults.writeTo): one series per model, tasks in file order. */
    @Test
    void labResultsPlotsAccuracyPerTaskPerModel() throws Exception {
        Path f = dir.resolve("results.csv");
        Files.writeString(f, """
                model,task,n,accuracy,ci_low,ci_high
                llava-1.5,glyph,20,0.2500,0.1119,0.4687
                llava-1.5,relation,20,0.6000,0.3866,0.7812
                inf-llava-paper,glyph,20,0.7500,0.5313,0.8881
                inf-llava-paper,relation,20,0.6500,0.4329,0.8188
                """);
        CategoryChart c = Charts.labResults(f);
        assertEquals(List.of("llava-1.5", "inf-llava-paper"), List.copyOf(c.getSeriesMap().keySet()));
        CategorySeries s = c.getSeriesMap().get("inf-llava-paper");
        assertEquals(List.of("glyph", "relation"), s.getXData());
        assertEquals(List.of(0.75, 0.65), s.getYData().stream().map(Number::doubleValue).toList());
        assertEquals(List.of(0.25, 0.6), c.getSeriesMap().get("llava-1.5").getYData().stream()
                .map(Number::doubleValue).toList());
    }

    /** With the Wilson bounds the bars carry error bars of the interval's longer side: max(0.75−0.5313, 0.8881−0.75). */
    @Test
    void labResultsWithIntervalsHaveErrorBars() throws Exception {
        Path f = dir.resolve("results.csv");
        Files.writeString(f, """
                model,task,n,accuracy,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high,p_value
                llava-1.5,glyph,20,0.2500,0.1119,0.4687,,,,
                inf-llava-paper,glyph,20,0.7500,0.5313,0.8881,0.5000,0.2000,0.7000,0.00195
                """);
        CategoryChart c = Charts.labResults(f);
        assertEquals(0.7500 - 0.5313, c.getSeriesMap().get("inf-llava-paper").getExtraValues().iterator().next().doubleValue(), 1e-12);
        assertEquals(0.4687 - 0.2500, c.getSeriesMap().get("llava-1.5").getExtraValues().iterator().next().doubleValue(), 1e-12);
    }
}
