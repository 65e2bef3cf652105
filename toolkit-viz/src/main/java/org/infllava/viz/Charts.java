package org.infllava.viz;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Charts from the files that training and the lab write: XChart objects, shown inline in a notebook or saved with
 * {@code BitmapEncoder.saveBitmap(chart, path, PNG)}.
 *
 * <ul>
 *   <li>{@link #trainingCurve(Path)}: the Trainer's {@code metrics.jsonl} (one JSON object per line with
 *       {@code step, loss, lr, grad_norm, tokens, seconds}) → series {@code loss} and {@code lr} against step, lr on
 *       the second y axis;</li>
 *   <li>{@link #labResults(Path)}: the lab's {@code results.csv} ({@code model,task,n,accuracy,ci_low,ci_high}) →
 *       one bar series per model, categories = tasks in file order;</li>
 *   <li>{@link #ablation(Path, AblationTable)}: an {@code ablation-<table>-summary.csv} → the same chart
 *       {@link Ablation#chart} draws (for the resolution sweep: fine-detail accuracy against input side).</li>
 * </ul>
 */
public final class Charts {

    /** Name of the loss series of {@link #trainingCurve(Path)}. */
    public static final String LOSS = "loss";
    /** Name of the learning-rate series of {@link #trainingCurve(Path)} (second y axis). */
    public static final String LR = "lr";

    private Charts() {}

    /** One line of {@code metrics.jsonl}. */
    public record MetricsPoint(long step, double loss, double lr, double gradNorm, long tokens, double seconds) {}

    /** Reads every line of a Trainer {@code metrics.jsonl}; blank lines are skipped, a bad line is an error naming it. */
    public static List<MetricsPoint> readMetrics(Path metricsJsonl) {
        List<String> lines;
        try {
            lines = Files.readAllLines(metricsJsonl, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<MetricsPoint> points = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonObject j = JsonParser.parseString(line).getAsJsonObject();
                points.add(new MetricsPoint(j.get("step").getAsLong(), j.get("loss").getAsDouble(),
                        j.get("lr").getAsDouble(), j.has("grad_norm") ? j.get("grad_norm").getAsDouble() : Double.NaN,
                        j.has("tokens") ? j.get("tokens").getAsLong() : 0, j.has("seconds")
                                ? j.get("seconds").getAsDouble() : Double.NaN));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(metricsJsonl + " line " + (i + 1) + " is not a metrics record "
                        + "{step, loss, lr, ...}: " + line, e);
            }
        }
        return points;
    }

    /** Loss against step (series {@value #LOSS}) and learning rate against step (series {@value #LR}, y axis 1). */
    public static XYChart trainingCurve(Path metricsJsonl) {
        List<MetricsPoint> points = readMetrics(metricsJsonl);
        if (points.isEmpty()) {
            throw new IllegalArgumentException(metricsJsonl + " holds no metrics records");
        }
        double[] step = new double[points.size()];
        double[] loss = new double[points.size()];
        double[] lr = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            step[i] = points.get(i).step();
            loss[i] = points.get(i).loss();
            lr[i] = points.get(i).lr();
        }
        XYChart c = new XYChartBuilder().width(800).height(400).title("training: " + metricsJsonl.getFileName())
                .xAxisTitle("step").yAxisTitle(LOSS).build();
        c.setYAxisGroupTitle(1, LR);
        XYSeries l = c.addSeries(LOSS, step, loss);
        l.setMarker(SeriesMarkers.NONE);
        XYSeries r = c.addSeries(LR, step, lr);
        r.setMarker(SeriesMarkers.NONE);
        r.setYAxisGroup(1);
        return c;
    }

    /** Accuracy per task, one series per model, from the lab's {@code results.csv}. */
    public static CategoryChart labResults(Path resultsCsv) {
        Table t;
        try {
            t = Table.read().usingOptions(CsvReadOptions.builder(resultsCsv.toFile())
                    .columnTypesPartial(Map.of("model", ColumnType.STRING, "task", ColumnType.STRING,
                            "accuracy", ColumnType.DOUBLE, "ci_low", ColumnType.DOUBLE, "ci_high", ColumnType.DOUBLE,
                            "diff_vs_baseline", ColumnType.DOUBLE, "diff_ci_low", ColumnType.DOUBLE,
                            "diff_ci_high", ColumnType.DOUBLE, "p_value", ColumnType.DOUBLE)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(resultsCsv + " is not a lab results.csv "
                    + "(model,task,n,accuracy,ci_low,ci_high[,diff_vs_baseline,diff_ci_low,diff_ci_high,p_value]): " + e.getMessage(), e);
        }
        return labResults(t);
    }

    /**
     * Accuracy per task, one series per model, from a long table with columns {@code model} (string), {@code task}
     * (string) and {@code accuracy} (double), as {@code LabResults.table()} makes; order of first appearance kept.
     * With {@code ci_low} and {@code ci_high} columns (the 95 % Wilson interval) each bar gets an error bar; XChart
     * draws error bars symmetrically, so its half-length is the interval's longer side ({@code max(acc − low,
     * high − acc)}), which covers the whole interval.
     */
    public static CategoryChart labResults(Table results) {
        Map<String, List<String>> tasks = new LinkedHashMap<>();
        Map<String, List<Double>> accuracy = new LinkedHashMap<>();
        Map<String, List<Double>> error = new LinkedHashMap<>();
        boolean bars = results.columnNames().contains("ci_low") && results.columnNames().contains("ci_high");
        for (int i = 0; i < results.rowCount(); i++) {
            String m = results.stringColumn("model").get(i);
            double a = results.doubleColumn("accuracy").get(i);
            tasks.computeIfAbsent(m, k -> new ArrayList<>()).add(results.stringColumn("task").get(i));
            accuracy.computeIfAbsent(m, k -> new ArrayList<>()).add(a);
            if (bars) {
                double lo = ((Number) results.column("ci_low").get(i)).doubleValue();
                double hi = ((Number) results.column("ci_high").get(i)).doubleValue();
                error.computeIfAbsent(m, k -> new ArrayList<>()).add(Math.max(a - lo, hi - a));
            }
        }
        CategoryChart c = new CategoryChartBuilder().width(800).height(450).title("HiResSynth: accuracy per task")
                .xAxisTitle("task").yAxisTitle("accuracy").build();
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        for (String m : tasks.keySet()) {
            if (bars) {
                c.addSeries(m, tasks.get(m), accuracy.get(m), error.get(m));
            } else {
                c.addSeries(m, tasks.get(m), accuracy.get(m));
            }
        }
        return c;
    }
}
