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
import org.infllava.eval.PairedComparison;
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
            Accuracy.Result control, double firstLoss, double lastLoss, double seconds, Answers answers) {

        /** A result without per-question answers (no paired statistics). */
        public ModelResult(String model, Map<String, Accuracy.Result> byTask, Accuracy.Result overall,
                Accuracy.Result control, double firstLoss, double lastLoss, double seconds) {
            this(model, byTask, overall, control, firstLoss, lastLoss, seconds, null);
        }

        /** Mean accuracy over the fine-detail tasks present. */
        public double fineDetail() {
            return byTask.entrySet().stream().filter(e -> HiResSynth.FINE_DETAIL.contains(e.getKey()))
                    .mapToDouble(e -> e.getValue().accuracy()).average().orElse(Double.NaN);
        }
    }

    /**
     * Per-question correctness on the test split, in the split's order (the same questions for every model of a run),
     * for paired statistics.
     *
     * @param tasks each question's task
     * @param correct whether the answer about the question's own scene was right
     * @param control whether the answer about another scene's image was right, or {@code null} without the control
     */
    public record Answers(List<String> tasks, boolean[] correct, boolean[] control) {

        /** Validates the lengths. */
        public Answers {
            tasks = List.copyOf(tasks);
            if (correct.length != tasks.size() || (control != null && control.length != tasks.size())) {
                throw new IllegalArgumentException("answers need one entry per question: " + tasks.size()
                        + " tasks, " + correct.length + " answers" + (control == null ? "" : ", " + control.length
                        + " control answers"));
            }
        }

        /** Correctness on the questions of {@code task}, or of the fine-detail pool for {@link #FINE_DETAIL}. */
        public boolean[] correct(String task) {
            return select(correct, task);
        }

        /** Control correctness on the questions of {@code task} (or the pool). */
        public boolean[] control(String task) {
            if (control == null) {
                throw new IllegalStateException("this run had no control");
            }
            return select(control, task);
        }

        private boolean[] select(boolean[] v, String task) {
            int k = 0;
            boolean[] out = new boolean[v.length];
            for (int i = 0; i < v.length; i++) {
                if (task.equals(tasks.get(i)) || task.equals(ALL)
                        || (task.equals(FINE_DETAIL) && HiResSynth.FINE_DETAIL.contains(tasks.get(i)))) {
                    out[k++] = v[i];
                }
            }
            return java.util.Arrays.copyOf(out, k);
        }
    }

    /** The pseudo-task of the fine-detail pool (every question of glyph, count and exists) in tables and CSV. */
    public static final String FINE_DETAIL = "fine-detail";

    /** The pseudo-task of every test question. */
    public static final String ALL = "all";

    /** The model every other is compared with on the same questions. */
    public static final String BASELINE = "llava-1.5";

    /**
     * {@code model} against {@link #BASELINE} on the same questions of {@code task} (a task, {@link #FINE_DETAIL} or
     * {@link #ALL}): accuracy difference with Newcombe's interval and the exact McNemar p-value; empty when the run has
     * no baseline, {@code model} is the baseline, or answers were not kept.
     */
    public java.util.Optional<PairedComparison> versusBaseline(String model, String task) {
        ModelResult m = model(model);
        ModelResult base = models.stream().filter(x -> x.model().equals(BASELINE)).findFirst().orElse(null);
        if (base == null || m == base || m.answers() == null || base.answers() == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(PairedComparison.of(m.answers().correct(task), base.answers().correct(task)));
    }

    /**
     * The control of {@code model} as a paired test: its answers about each question's own scene (A) against the
     * same questions about another scene's image (B), over every test question; {@code diff} is the drop.
     */
    public java.util.Optional<PairedComparison> ownVersusOther(String model) {
        ModelResult m = model(model);
        if (m.answers() == null || m.answers().control() == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(PairedComparison.of(m.answers().correct(ALL), m.answers().control(ALL)));
    }

    /** Accuracy of {@code model} on the fine-detail pool, with its Wilson interval (from the per-task counts). */
    public Accuracy.Result fineDetailPool(ModelResult m) {
        int n = 0;
        int k = 0;
        for (String t : settings.tasks()) {
            Accuracy.Result r = m.byTask().get(t);
            if (r != null && HiResSynth.FINE_DETAIL.contains(t)) {
                n += r.n();
                k += r.correct();
            }
        }
        double[] ci = Accuracy.wilson(k, n);
        return new Accuracy.Result(FINE_DETAIL, n, k, n == 0 ? 0 : (double) k / n, ci[0], ci[1]);
    }

    /**
     * Several runs (seeds) pooled: per model the questions of every run side by side (each run's questions stay
     * paired within that run), counts and Wilson intervals recomputed from the pooled answers, losses and times
     * averaged. Every run must have the same models with answers kept.
     */
    public static LabResults pool(List<LabResults> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("nothing to pool");
        }
        LabResults first = runs.get(0);
        List<ModelResult> pooled = new ArrayList<>();
        for (ModelResult m : first.models()) {
            List<String> tasks = new ArrayList<>();
            List<Boolean> own = new ArrayList<>();
            List<Boolean> other = new ArrayList<>();
            boolean control = true;
            double firstLoss = 0;
            double lastLoss = 0;
            double secs = 0;
            for (LabResults r : runs) {
                ModelResult x = r.model(m.model());
                if (x.answers() == null) {
                    throw new IllegalArgumentException("model " + m.model() + " kept no answers in a run to pool");
                }
                tasks.addAll(x.answers().tasks());
                for (int i = 0; i < x.answers().correct().length; i++) {
                    own.add(x.answers().correct()[i]);
                    if (x.answers().control() != null) {
                        other.add(x.answers().control()[i]);
                    }
                }
                control &= x.answers().control() != null;
                firstLoss += x.firstLoss() / runs.size();
                lastLoss += x.lastLoss() / runs.size();
                secs += x.seconds();
            }
            boolean[] o = new boolean[own.size()];
            boolean[] c = control ? new boolean[own.size()] : null;
            for (int i = 0; i < o.length; i++) {
                o[i] = own.get(i);
                if (c != null) {
                    c[i] = other.get(i);
                }
            }
            Answers a = new Answers(tasks, o, c);
            java.util.Map<String, Accuracy.Result> byTask = new java.util.LinkedHashMap<>();
            for (String t : first.settings().tasks()) {
                byTask.put(t, count(t, a.correct(t)));
            }
            pooled.add(new ModelResult(m.model(), byTask, count(ALL, a.correct(ALL)),
                    c == null ? null : count(ALL, a.control(ALL)), firstLoss, lastLoss, secs, a));
        }
        return new LabResults(first.settings(), pooled, Double.NaN, Double.NaN, java.util.Map.of(),
                runs.stream().mapToDouble(LabResults::seconds).sum());
    }

    private static Accuracy.Result count(String group, boolean[] correct) {
        int k = 0;
        for (boolean b : correct) {
            k += b ? 1 : 0;
        }
        double[] ci = Accuracy.wilson(k, correct.length);
        return new Accuracy.Result(group, correct.length, k, correct.length == 0 ? 0 : (double) k / correct.length,
                ci[0], ci[1]);
    }

    /** The result of {@code model}. */
    public ModelResult model(String model) {
        return models.stream().filter(m -> m.model().equals(model)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model '" + model + "' in these results"));
    }

    /**
     * Long format: {@code model, task, n, correct, accuracy, ci_low, ci_high, diff_vs_baseline, diff_ci_low,
     * diff_ci_high, p_value}, one row per model and task and one for the fine-detail pool ({@link #FINE_DETAIL});
     * the paired columns are missing (NaN) for the baseline itself and when answers were not kept.
     */
    public Table table() {
        StringColumn model = StringColumn.create("model");
        StringColumn task = StringColumn.create("task");
        IntColumn n = IntColumn.create("n");
        IntColumn correct = IntColumn.create("correct");
        DoubleColumn acc = DoubleColumn.create("accuracy");
        DoubleColumn lo = DoubleColumn.create("ci_low");
        DoubleColumn hi = DoubleColumn.create("ci_high");
        DoubleColumn diff = DoubleColumn.create("diff_vs_baseline");
        DoubleColumn dlo = DoubleColumn.create("diff_ci_low");
        DoubleColumn dhi = DoubleColumn.create("diff_ci_high");
        DoubleColumn p = DoubleColumn.create("p_value");
        List<String> rows = new ArrayList<>(settings.tasks());
        if (settings.tasks().stream().anyMatch(HiResSynth.FINE_DETAIL::contains)) {
            rows.add(FINE_DETAIL);
        }
        for (ModelResult m : models) {
            for (String t : rows) {
                Accuracy.Result r = t.equals(FINE_DETAIL) ? fineDetailPool(m) : m.byTask().get(t);
                if (r != null) {
                    model.append(m.model());
                    task.append(t);
                    n.append(r.n());
                    correct.append(r.correct());
                    acc.append(r.accuracy());
                    lo.append(r.ciLow());
                    hi.append(r.ciHigh());
                    java.util.Optional<PairedComparison> c = versusBaseline(m.model(), t);
                    diff.append(c.map(PairedComparison::diff).orElse(Double.NaN));
                    dlo.append(c.map(PairedComparison::ciLow).orElse(Double.NaN));
                    dhi.append(c.map(PairedComparison::ciHigh).orElse(Double.NaN));
                    p.append(c.map(PairedComparison::pValue).orElse(Double.NaN));
                }
            }
        }
        return Table.create("HiResSynth accuracy", model, task, n, correct, acc, lo, hi, diff, dlo, dhi, p);
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
            StringBuilder csv = new StringBuilder("model,task,n,accuracy,ci_low,ci_high,diff_vs_baseline,diff_ci_low,"
                    + "diff_ci_high,p_value\n");
            Table t = table();
            for (int i = 0; i < t.rowCount(); i++) {
                csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.4f,%.4f,%s,%s,%s,%s%n",
                        t.stringColumn("model").get(i), t.stringColumn("task").get(i), t.intColumn("n").get(i),
                        t.doubleColumn("accuracy").get(i), t.doubleColumn("ci_low").get(i),
                        t.doubleColumn("ci_high").get(i), num(t.doubleColumn("diff_vs_baseline").getDouble(i), "%.4f"),
                        num(t.doubleColumn("diff_ci_low").getDouble(i), "%.4f"),
                        num(t.doubleColumn("diff_ci_high").getDouble(i), "%.4f"),
                        num(t.doubleColumn("p_value").getDouble(i), "%.3g")));
            }
            Files.writeString(dir.resolve("results.csv"), csv, StandardCharsets.UTF_8);
            StringBuilder control = new StringBuilder("model,n,own,other,drop,drop_ci_low,drop_ci_high,p_value\n");
            for (ModelResult m : models) {
                ownVersusOther(m.model()).ifPresent(c -> control.append(String.format(Locale.ROOT,
                        "%s,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.3g%n", m.model(), c.n(), (double) (c.both() + c.onlyA())
                        / c.n(), (double) (c.both() + c.onlyB()) / c.n(), c.diff(), c.ciLow(), c.ciHigh(),
                        c.pValue())));
            }
            if (control.indexOf("\n") < control.length() - 1) {
                Files.writeString(dir.resolve("control.csv"), control, StandardCharsets.UTF_8);
            }
            Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
            BitmapEncoder.saveBitmap(chart(), dir.resolve("accuracy.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String num(double v, String format) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    /** The model that marks the ceiling (every token of the full-resolution scene), when the run has it. */
    public static final String CEILING = "ceiling";

    /**
     * The paired statistics as markdown: per model the fine-detail pool and every task against {@link #BASELINE}
     * (difference, Newcombe 95 % interval, exact McNemar p), where the model falls between the floor
     * ({@link #BASELINE}) and the {@link #CEILING} on the fine-detail pool, and its control (own scene vs another
     * scene's image, paired). Empty when no answers were kept.
     */
    public String paired() {
        if (models.stream().allMatch(m -> m.answers() == null)) {
            return "";
        }
        StringBuilder md = new StringBuilder("\nPaired against `" + BASELINE + "` on the same questions: accuracy "
                + "difference with Newcombe's 95 % interval and the exact McNemar p-value (two-sided binomial on the "
                + "discordant pairs). Position: the fine-detail pool's accuracy as a fraction of the way from the "
                + "floor (`" + BASELINE + "`) to the `" + CEILING + "` (0 = floor, 1 = ceiling).\n\n");
        List<String> rows = new ArrayList<>();
        rows.add(FINE_DETAIL);
        rows.addAll(settings.tasks());
        md.append("| model |");
        rows.forEach(t -> md.append(' ').append(t).append(t.equals(FINE_DETAIL) ? " (pool)" : "").append(" |"));
        md.append(" position |\n|---|").append("---|".repeat(rows.size() + 1)).append('\n');
        java.util.Optional<ModelResult> floor = models.stream().filter(m -> m.model().equals(BASELINE)).findFirst();
        java.util.Optional<ModelResult> ceiling = models.stream().filter(m -> m.model().equals(CEILING)).findFirst();
        for (ModelResult m : models) {
            md.append("| ").append(m.model()).append(" |");
            for (String t : rows) {
                java.util.Optional<PairedComparison> c = versusBaseline(m.model(), t);
                md.append(' ').append(c.map(x -> String.format(Locale.ROOT, "%+.1f [%+.1f, %+.1f] p=%s",
                        100 * x.diff(), 100 * x.ciLow(), 100 * x.ciHigh(), pValue(x.pValue()))).orElse("-"))
                        .append(" |");
            }
            if (floor.isPresent() && ceiling.isPresent()) {
                double f = fineDetailPool(floor.get()).accuracy();
                double c = fineDetailPool(ceiling.get()).accuracy();
                md.append(String.format(Locale.ROOT, " %.2f |%n", (fineDetailPool(m).accuracy() - f) / (c - f)));
            } else {
                md.append(" - |\n");
            }
        }
        md.append("\nControl (paired on every test question): accuracy about the question's own scene, about another "
                + "scene's image, the drop with its 95 % interval and the exact McNemar p-value.\n\n"
                + "| model | own | other | drop [95 % CI] | p |\n|---|---|---|---|---|\n");
        for (ModelResult m : models) {
            ownVersusOther(m.model()).ifPresent(c -> md.append(String.format(Locale.ROOT,
                    "| %s | %.3f | %.3f | %+.1f [%+.1f, %+.1f] | %s |%n", m.model(), (double) (c.both() + c.onlyA())
                    / c.n(), (double) (c.both() + c.onlyB()) / c.n(), 100 * c.diff(), 100 * c.ciLow(),
                    100 * c.ciHigh(), pValue(c.pValue()))));
        }
        return md.toString();
    }

    private static String pValue(double p) {
        return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }

    /** The markdown report. */
    public String markdown() {
        StringBuilder md = new StringBuilder("# HiResSynth lab results\n\n");
        if (Double.isNaN(towerFirstLoss)) {
            md.append(settings.describe()).append(String.format(Locale.ROOT, " (the first seed's settings).%n%n"
                    + "Pooled over seeds: each seed's questions paired within that seed. Wall time of all seeds "
                    + "%.0f s.%n%n", seconds));
        } else {
            md.append(settings.describe()).append(String.format(Locale.ROOT, ".%n%nStage 0: cell loss %.3f -> %.3f; "
                    + "held-out accuracy on object patches %s. Wall time %.0f s.%n%n", towerFirstLoss, towerLastLoss,
                    towerAccuracy, seconds));
        }
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
        md.append(paired());
        md.append("\n| model | loss first -> last | seconds |\n|---|---|---|\n");
        for (ModelResult m : models) {
            md.append(String.format(Locale.ROOT, "| %s | %.3f -> %.3f | %.0f |%n", m.model(), m.firstLoss(),
                    m.lastLoss(), m.seconds()));
        }
        return md.toString();
    }
}
