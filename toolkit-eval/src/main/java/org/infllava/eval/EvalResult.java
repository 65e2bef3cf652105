package org.infllava.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.infllava.eval.bench.LoadReport;
import org.infllava.io.InvalidInputException;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One evaluation: the score of the asked questions and how they were answered.
 *
 * @param benchmark the benchmark's name
 * @param modelId the model's name in the predictions
 * @param score the score; unanswered questions count as wrong
 * @param asked questions asked (after {@code --limit})
 * @param answeredNow questions answered by this run
 * @param reused questions whose answer an earlier run left in the folder
 * @param seconds wall time of this run
 * @param outDir the folder holding {@code predictions.jsonl} and the summary
 * @param run what the predictions depend on ({@code run.json}: model, template, answer length, digests)
 * @param reports what reading the benchmark's files found
 * @param reading how the answers were read and counted ({@link Reading}; recorded in the summary)
 */
public record EvalResult(String benchmark, String modelId, ScoreReport score, int asked, int answeredNow, int reused,
        double seconds, Path outDir, JsonObject run, List<LoadReport> reports, Reading reading) {

    /**
     * The score as a table: one {@code all} row with the headline numbers, then one row per group of each grouping
     * (POPE's category, ScienceQA's subject, HiResSynth's task, …). Columns {@code grouping}, {@code group},
     * {@code n}, {@code accuracy}, then the benchmark's further metrics (missing values are NaN).
     */
    public Table table() {
        Set<String> metricNames = new LinkedHashSet<>(score.metrics().keySet());
        score.categories().values().forEach(g -> g.values().forEach(s -> metricNames.addAll(s.metrics().keySet())));
        StringColumn grouping = StringColumn.create("grouping");
        StringColumn group = StringColumn.create("group");
        IntColumn n = IntColumn.create("n");
        DoubleColumn acc = DoubleColumn.create("accuracy");
        List<DoubleColumn> extra = new ArrayList<>();
        metricNames.forEach(m -> extra.add(DoubleColumn.create(m)));
        grouping.append("all");
        group.append("all");
        n.append(score.questions());
        acc.append(score.accuracy());
        for (DoubleColumn c : extra) {
            c.append(score.metrics().getOrDefault(c.name(), Double.NaN));
        }
        score.categories().forEach((gName, groups) -> groups.forEach((name, s) -> {
            grouping.append(gName);
            group.append(name);
            n.append(s.n());
            acc.append(s.accuracy());
            for (DoubleColumn c : extra) {
                c.append(s.metrics().getOrDefault(c.name(), Double.NaN));
            }
        }));
        Table t = Table.create(benchmark + " — " + modelId, grouping, group, n, acc);
        extra.forEach(t::addColumns);
        return t;
    }

    /** The table as CSV, with {@code benchmark} and {@code model_id} columns first. */
    public String csv() {
        Table t = table();
        StringBuilder sb = new StringBuilder("benchmark,model_id,reading");
        t.columnNames().forEach(c -> sb.append(',').append(c));
        sb.append('\n');
        for (int r = 0; r < t.rowCount(); r++) {
            sb.append(csvCell(benchmark)).append(',').append(csvCell(modelId)).append(',').append(reading.label());
            for (int c = 0; c < t.columnCount(); c++) {
                Object v = t.column(c).get(r);
                sb.append(',').append(v instanceof Double d ? (d.isNaN() ? "" : String.format(Locale.ROOT, "%.6f", d))
                        : csvCell(String.valueOf(v)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A markdown report: headline, bookkeeping, the table, provenance. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(benchmark).append(" — ").append(modelId).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Accuracy **%.4f** on %d question(s) (%s reading)", score.accuracy(),
                score.questions(), reading.label()));
        score.metrics().forEach((k, v) -> sb.append(String.format(Locale.ROOT, ", %s %.4f", k, v)));
        sb.append(String.format(Locale.ROOT, ".%n%nAsked %d; answered now %d, reused %d; %d unanswered (counted wrong),"
                + " %d unreadable answers (counted wrong); %.1f s.%n%n", asked, answeredNow, reused,
                score.unanswered().size(), score.unparsed().size(), seconds));
        Table t = table();
        sb.append('|');
        t.columnNames().forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append("\n|");
        t.columnNames().forEach(c -> sb.append("---|"));
        sb.append('\n');
        for (int r = 0; r < t.rowCount(); r++) {
            sb.append('|');
            for (int c = 0; c < t.columnCount(); c++) {
                Object v = t.column(c).get(r);
                sb.append(' ').append(v instanceof Double d ? (d.isNaN() ? "" : String.format(Locale.ROOT, "%.4f", d))
                        : String.valueOf(v)).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\n## Data\n\n");
        for (LoadReport lr : reports) {
            sb.append("- `").append(lr.file()).append("`: ").append(lr.summary()).append('\n');
        }
        sb.append("\n## Run\n\n```json\n").append(new GsonBuilder().setPrettyPrinting().create().toJson(run))
                .append("\n```\n");
        return sb.toString();
    }

    /** Everything as JSON: the run, the counts, the score ({@link ScoreReport#toJson()}), the data reports. */
    public JsonObject toJson() {
        JsonObject j = run.deepCopy();
        j.addProperty("asked", asked);
        j.addProperty("answered_now", answeredNow);
        j.addProperty("reused", reused);
        j.addProperty("seconds", seconds);
        j.addProperty("reading", reading.label());
        score.toJson().entrySet().forEach(e -> j.add(e.getKey(), e.getValue()));
        JsonArray data = new JsonArray();
        for (LoadReport lr : reports) {
            JsonObject d = new JsonObject();
            d.addProperty("file", lr.file().toString());
            d.addProperty("summary", lr.summary());
            data.add(d);
        }
        j.add("data", data);
        return j;
    }

    /** Writes {@code summary.json}, {@code summary.csv} and {@code summary.md} into {@code dir}, each atomically. */
    public void writeTo(Path dir) {
        write(dir.resolve("summary.json"), new GsonBuilder().setPrettyPrinting().create().toJson(toJson()) + "\n");
        write(dir.resolve("summary.csv"), csv());
        write(dir.resolve("summary.md"), markdown());
    }

    private static void write(Path file, String text) {
        org.infllava.io.AtomicFiles.writeString(file, text);
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
