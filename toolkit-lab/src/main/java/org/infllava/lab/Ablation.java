package org.infllava.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.infllava.data.synth.HiResSynth;
import org.infllava.eval.Accuracy;
import org.infllava.train.ProgressBar;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Runs one {@link AblationTable} over several seeds — for each seed its own data, stage-0 tower and models — and
 * reports each row as mean ± sample standard deviation over the seeds of the fine-detail accuracy, the overall
 * accuracy and every task's accuracy. Writes {@code ablation-<table>.csv} (one line per row, seed and task),
 * {@code ablation-<table>-summary.csv}, a markdown table and a chart (accuracy against resolution for
 * {@link AblationTable#RESOLUTION}, as Fig. 8; bars for the others).
 */
public final class Ablation {

    /**
     * One model's accuracy on one task for one seed.
     *
     * @param model the table row
     * @param seed the seed
     * @param task the task, or {@code all} / {@code fine-detail} for the aggregates
     * @param n questions
     * @param accuracy accuracy in 0..1
     */
    public record Point(String model, long seed, String task, int n, double accuracy) {}

    private final AblationTable table;
    private final LabSettings settings;
    private final List<Long> seeds;
    private final PrintWriter out;

    private Ablation(AblationTable table, LabSettings settings, List<Long> seeds, PrintWriter out) {
        this.table = table;
        this.settings = settings;
        this.seeds = List.copyOf(seeds);
        this.out = out;
    }

    /**
     * An ablation.
     *
     * @param settings the budget; its seed is replaced by each of {@code seeds}
     * @param out progress and one line per model
     */
    public static Ablation of(AblationTable table, LabSettings settings, List<Long> seeds, PrintWriter out) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("an ablation needs at least one seed");
        }
        return new Ablation(table, settings, seeds, out == null ? new PrintWriter(Writer.nullWriter()) : out);
    }

    /** Runs every seed under {@code dir} ({@code seed-N/} each) and returns the points. */
    public List<Point> run(Path dir) {
        List<LabModel> models = table.models();
        List<Point> points = new ArrayList<>();
        Lab first = Lab.builder().optSettings(settings).optModels(models).build();
        ProgressBar bar = ProgressBar.of(out, first.workUnits(models.size()) * seeds.size());
        for (long seed : seeds) {
            LabSettings s = settings.toBuilder().optSeed(seed).build();
            Lab lab = Lab.builder().optSettings(s).optModels(models).optOutput(out).build();
            Path run = dir.resolve("seed-" + seed);
            Path data = lab.writeData(run.resolve("data"));
            Path vision = run.resolve("stage0").resolve("vision");
            lab.pretrainTower(data, vision, bar);
            for (LabModel m : models) {
                LabResults.ModelResult r = lab.trainAndScore(m, data, vision, run.resolve(safe(m.name())), bar);
                for (Map.Entry<String, Accuracy.Result> e : r.byTask().entrySet()) {
                    points.add(new Point(m.name(), seed, e.getKey(), e.getValue().n(), e.getValue().accuracy()));
                }
                points.add(new Point(m.name(), seed, "all", r.overall().n(), r.overall().accuracy()));
                points.add(new Point(m.name(), seed, "fine-detail", 0, r.fineDetail()));
            }
        }
        bar.finish(table.cliName() + " done");
        return points;
    }

    /** Mean and sample standard deviation over seeds per row: columns {@code model}, then {@code <task>_mean/_sd}. */
    public static Table summary(List<Point> points, List<String> tasks) {
        List<String> columns = new ArrayList<>(List.of("fine-detail", "all"));
        columns.addAll(tasks);
        Map<String, Map<String, List<Double>>> byModel = new LinkedHashMap<>();
        for (Point p : points) {
            byModel.computeIfAbsent(p.model(), k -> new LinkedHashMap<>()).computeIfAbsent(p.task(),
                    k -> new ArrayList<>()).add(p.accuracy());
        }
        StringColumn model = StringColumn.create("model");
        IntColumn seedCount = IntColumn.create("seeds");
        List<DoubleColumn> cols = new ArrayList<>();
        for (String c : columns) {
            cols.add(DoubleColumn.create(c + "_mean"));
            cols.add(DoubleColumn.create(c + "_sd"));
        }
        byModel.forEach((m, byTask) -> {
            model.append(m);
            seedCount.append(byTask.getOrDefault("all", List.of()).size());
            for (int i = 0; i < columns.size(); i++) {
                List<Double> v = byTask.getOrDefault(columns.get(i), List.of());
                cols.get(2 * i).append(mean(v));
                cols.get(2 * i + 1).append(sd(v));
            }
        });
        Table t = Table.create("ablation: mean and sd over seeds", model, seedCount);
        cols.forEach(t::addColumns);
        return t;
    }

    /** {@code mean ± sd} strings per row, for printing: model, fine-detail, all, then each task. */
    public static Table printable(Table summary, List<String> tasks) {
        List<String> columns = new ArrayList<>(List.of("fine-detail", "all"));
        columns.addAll(tasks);
        StringColumn model = summary.stringColumn("model").copy();
        Table t = Table.create("mean ± sd over " + (summary.rowCount() == 0 ? 0 : summary.intColumn("seeds").get(0))
                + " seeds", model);
        for (String c : columns) {
            StringColumn s = StringColumn.create(c + (HiResSynth.FINE_DETAIL.contains(c) ? "*" : ""));
            for (int i = 0; i < summary.rowCount(); i++) {
                s.append(String.format(Locale.ROOT, "%.2f ± %.2f", summary.doubleColumn(c + "_mean").get(i),
                        summary.doubleColumn(c + "_sd").get(i)));
            }
            t.addColumns(s);
        }
        return t;
    }

    /**
     * {@link #printable} with, after the model, each row's {@code visual tokens} and {@code encoder passes} per scene
     * ({@link Lab#cost}) — the price of each row's accuracy. Rows are matched to {@code table}'s models by name.
     */
    public static Table printableWithCosts(Table summary, List<String> tasks, AblationTable table,
            LabSettings settings) {
        Table t = printable(summary, tasks);
        IntColumn passes = IntColumn.create("encoder passes");
        tech.tablesaw.api.LongColumn tokens = tech.tablesaw.api.LongColumn.create("visual tokens");
        Map<String, LabModel> byName = new LinkedHashMap<>();
        table.models().forEach(m -> byName.put(m.name(), m));
        for (String name : t.stringColumn("model")) {
            LabModel m = byName.get(name);
            if (m == null) {
                throw new IllegalArgumentException("row '" + name + "' is not a model of table " + table.cliName());
            }
            Lab.Cost c = Lab.cost(m, settings);
            tokens.append(c.visualTokens());
            passes.append(c.encoderPasses());
        }
        t.insertColumn(1, tokens);
        t.insertColumn(2, passes);
        return t;
    }

    /**
     * The chart of an ablation summary CSV ({@code ablation-<table>-summary.csv}, columns {@code model},
     * {@code <task>_mean}, {@code <task>_sd}, ...): an {@link XYChart} for {@link AblationTable#RESOLUTION} (the
     * resolution sweep), a {@link CategoryChart} otherwise — {@link #chart(AblationTable, Table)} on the file's table.
     * (Formerly {@code Charts.ablation}; it moved here with the lab into toolkit-lab.)
     */
    public static Chart<?, ?> chart(Path summaryCsv, AblationTable table) {
        Table summary;
        try {
            summary = Table.read().usingOptions(CsvReadOptions.builder(summaryCsv.toFile())
                    .columnTypesPartial(name -> name.equals("model") ? Optional.of(ColumnType.STRING)
                            : name.endsWith("_mean") || name.endsWith("_sd") ? Optional.of(ColumnType.DOUBLE)
                            : Optional.empty()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(summaryCsv + " is not an ablation summary CSV: " + e.getMessage(), e);
        }
        return chart(table, summary);
    }

    /**
     * The chart of a summary: for {@link AblationTable#RESOLUTION} fine-detail accuracy against input side in pixels,
     * one series for single and one for dual resolution (Fig. 8); for the others a bar per row with sd error bars.
     */
    public static Chart<?, ?> chart(AblationTable table, Table summary) {
        if (table == AblationTable.RESOLUTION) {
            XYChart c = new XYChartBuilder().width(700).height(420).title("HiResSynth: fine-detail accuracy vs "
                    + "resolution").xAxisTitle("high-resolution side (px)").yAxisTitle("accuracy").build();
            List<Double> sx = new ArrayList<>();
            List<Double> sy = new ArrayList<>();
            List<Double> se = new ArrayList<>();
            List<Double> dx = new ArrayList<>();
            List<Double> dy = new ArrayList<>();
            List<Double> de = new ArrayList<>();
            for (int i = 0; i < summary.rowCount(); i++) {
                String m = summary.stringColumn("model").get(i);
                boolean dual = m.contains("+");
                double px = Double.parseDouble(m.substring(m.lastIndexOf(dual ? '+' : '[') + 1, m.length() - 1));
                (dual ? dx : sx).add(px);
                (dual ? dy : sy).add(summary.doubleColumn("fine-detail_mean").get(i));
                (dual ? de : se).add(summary.doubleColumn("fine-detail_sd").get(i));
            }
            if (!sx.isEmpty()) {
                c.addSeries("single resolution", sx, sy, se);
            }
            if (!dx.isEmpty()) {
                c.addSeries("dual resolution (28 px added)", dx, dy, de);
            }
            return c;
        }
        CategoryChart c = new CategoryChartBuilder().width(700).height(420).title("HiResSynth: " + table.cliName()
                + " ablation").xAxisTitle(table.cliName()).yAxisTitle("accuracy").build();
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        List<String> names = summary.stringColumn("model").asList();
        c.addSeries("fine-detail", names, summary.doubleColumn("fine-detail_mean").asList(),
                summary.doubleColumn("fine-detail_sd").asList());
        c.addSeries("all tasks", names, summary.doubleColumn("all_mean").asList(),
                summary.doubleColumn("all_sd").asList());
        return c;
    }

    /** Writes the points, the summary (CSV and markdown) and the chart into {@code dir}. */
    public void write(Path dir, List<Point> points) {
        String name = "ablation-" + table.cliName();
        Table summary = summary(points, settings.tasks());
        try {
            Files.createDirectories(dir);
            StringBuilder csv = new StringBuilder("table,model,seed,task,n,accuracy\n");
            for (Point p : points) {
                csv.append(String.format(Locale.ROOT, "%s,\"%s\",%d,%s,%d,%.4f%n", table.cliName(), p.model(),
                        p.seed(), p.task(), p.n(), p.accuracy()));
            }
            Files.writeString(dir.resolve(name + ".csv"), csv, StandardCharsets.UTF_8);
            summary.write().csv(dir.resolve(name + "-summary.csv").toFile());
            Table printable = table == AblationTable.FRONT_END
                    ? printableWithCosts(summary, settings.tasks(), table, settings)
                    : printable(summary, settings.tasks());
            StringBuilder md = new StringBuilder("# Ablation: " + table.cliName() + "\n\nSeeds " + seeds
                    + "; accuracy mean ± sd over seeds; * fine-detail tasks.\n\n| "
                    + String.join(" | ", printable.columnNames()) + " |\n|" + "---|".repeat(printable.columnCount())
                    + "\n");
            for (int i = 0; i < printable.rowCount(); i++) {
                md.append('|');
                for (int c = 0; c < printable.columnCount(); c++) {
                    md.append(' ').append(printable.column(c).getString(i)).append(" |");
                }
                md.append('\n');
            }
            Files.writeString(dir.resolve(name + ".md"), md, StandardCharsets.UTF_8);
            BitmapEncoder.saveBitmap(chart(table, summary), dir.resolve(name + ".png").toString(),
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String safe(String model) {
        return model.replaceAll("[^A-Za-z0-9.+-]+", "_");
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Sample standard deviation ({@code n − 1}); 0 for a single value. */
    static double sd(List<Double> v) {
        if (v.size() < 2) {
            return 0;
        }
        double m = mean(v);
        return Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (v.size() - 1));
    }
}
