package org.infllava.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.infllava.data.synth.HiResSynth;
import org.infllava.eval.Accuracy;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The outcome of a lab run: per model and task the accuracy with its 95 % Wilson interval, the control with another
 * scene's image, losses and times. As a Tablesaw {@link #table()}, {@code results.csv}
 * ({@code model,task,n,accuracy,ci_low,ci_high}), {@code report.md} and an XChart bar chart ({@link #chart()}).
 *
 * @param settings the run's settings
 * @param models one result per model, in run order
 * @param towerFirstLoss stage 0's first loss
 * @param towerLastLoss stage 0's final loss
 * @param towerAccuracy stage 0's held-out accuracy on object patches per view
 * @param seconds wall time of the whole run
 */
public record LabResults(LabSettings settings, List<ModelResult> models, double towerFirstLoss, double towerLastLoss,
        Map<TowerPretraining.View, Double> towerAccuracy, double seconds) {

    /**
     * One model's result.
     *
     * @param model its name
     * @param byTask accuracy per task
     * @param overall accuracy over all test questions
     * @param control accuracy with another scene's image, or {@code null}
     * @param firstLoss first training loss
     * @param lastLoss mean loss of the last tenth of training
     * @param seconds training and scoring time
     */
    public record ModelResult(String model, Map<String, Accuracy.Result> byTask, Accuracy.Result overall,
            Accuracy.Result control, double firstLoss, double lastLoss, double seconds) {

        /** Mean accuracy over the fine-detail tasks present. */
        public double fineDetail() {
            return byTask.entrySet().stream().filter(e -> HiResSynth.FINE_DETAIL.contains(e.getKey()))
                    .mapToDouble(e -> e.getValue().accuracy()).average().orElse(Double.NaN);
        }
    }

    /** The result of {@code model}. */
    public ModelResult model(String model) {
        return models.stream().filter(m -> m.model().equals(model)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model '" + model + "' in these results"));
    }

    /** Long format: {@code model, task, n, correct, accuracy, ci_low, ci_high}, one row per model and task. */
    public Table table() {
        StringColumn model = StringColumn.create("model");
        StringColumn task = StringColumn.create("task");
        IntColumn n = IntColumn.create("n");
        IntColumn correct = IntColumn.create("correct");
        DoubleColumn acc = DoubleColumn.create("accuracy");
        DoubleColumn lo = DoubleColumn.create("ci_low");
        DoubleColumn hi = DoubleColumn.create("ci_high");
        for (ModelResult m : models) {
            for (String t : settings.tasks()) {
                Accuracy.Result r = m.byTask().get(t);
                if (r != null) {
                    model.append(m.model());
                    task.append(t);
                    n.append(r.n());
                    correct.append(r.correct());
                    acc.append(r.accuracy());
                    lo.append(r.ciLow());
                    hi.append(r.ciHigh());
                }
            }
        }
        return Table.create("HiResSynth accuracy", model, task, n, correct, acc, lo, hi);
    }

    /** Wide format for reading: one row per model, one {@code accuracy [low, high]} column per task. */
    public Table summary() {
        List<String> tasks = settings.tasks();
        StringColumn model = StringColumn.create("model");
        List<StringColumn> cols = new ArrayList<>();
        for (String t : tasks) {
            cols.add(StringColumn.create(t + (HiResSynth.FINE_DETAIL.contains(t) ? "*" : "")));
        }
        StringColumn fine = StringColumn.create("fine-detail mean");
        StringColumn control = StringColumn.create("all / other image");
        for (ModelResult m : models) {
            model.append(m.model());
            for (int i = 0; i < tasks.size(); i++) {
                Accuracy.Result r = m.byTask().get(tasks.get(i));
                cols.get(i).append(r == null ? "-" : String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", r.accuracy(),
                        r.ciLow(), r.ciHigh()));
            }
            fine.append(String.format(Locale.ROOT, "%.2f", m.fineDetail()));
            control.append(String.format(Locale.ROOT, "%.2f / %s", m.overall().accuracy(), m.control() == null ? "-"
                    : String.format(Locale.ROOT, "%.2f", m.control().accuracy())));
        }
        Table t = Table.create("HiResSynth accuracy per task (95 % Wilson intervals; * fine detail)", model);
        cols.forEach(t::addColumns);
        return t.addColumns(fine, control);
    }

    /** Accuracy per task, one bar series per model. */
    public CategoryChart chart() {
        return org.infllava.viz.Charts.labResults(table());
    }

    /** Writes {@code results.csv}, {@code report.md} and {@code accuracy.png} into {@code dir}. */
    public void writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            StringBuilder csv = new StringBuilder("model,task,n,accuracy,ci_low,ci_high\n");
            Table t = table();
            for (int i = 0; i < t.rowCount(); i++) {
                csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.4f,%.4f%n", t.stringColumn("model").get(i),
                        t.stringColumn("task").get(i), t.intColumn("n").get(i), t.doubleColumn("accuracy").get(i),
                        t.doubleColumn("ci_low").get(i), t.doubleColumn("ci_high").get(i)));
            }
            Files.writeString(dir.resolve("results.csv"), csv, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
            BitmapEncoder.saveBitmap(chart(), dir.resolve("accuracy.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The markdown report. */
    public String markdown() {
        StringBuilder md = new StringBuilder("# HiResSynth lab results\n\n");
        md.append(settings.describe()).append(String.format(Locale.ROOT, ".%n%nStage 0: cell loss %.3f -> %.3f; "
                + "held-out accuracy on object patches %s. Wall time %.0f s.%n%n", towerFirstLoss, towerLastLoss,
                towerAccuracy, seconds));
        md.append("Accuracy with 95 % Wilson intervals; * marks the fine-detail tasks. The last column repeats the "
                + "overall accuracy and gives it again with every question asked about another scene's image: equal "
                + "numbers mean the model answers from the question alone.\n\n");
        Table s = summary();
        md.append("| ").append(String.join(" | ", s.columnNames())).append(" |\n|");
        md.append("---|".repeat(s.columnCount())).append('\n');
        for (int i = 0; i < s.rowCount(); i++) {
            md.append("|");
            for (int c = 0; c < s.columnCount(); c++) {
                md.append(' ').append(s.stringColumn(c).get(i)).append(" |");
            }
            md.append('\n');
        }
        md.append("\n| model | loss first -> last | seconds |\n|---|---|---|\n");
        for (ModelResult m : models) {
            md.append(String.format(Locale.ROOT, "| %s | %.3f -> %.3f | %.0f |%n", m.model(), m.firstLoss(),
                    m.lastLoss(), m.seconds()));
        }
        return md.toString();
    }
}
