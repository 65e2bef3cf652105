package org.infllava.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark score and the bookkeeping that keeps it honest.
 *
 * @param questions scored units: questions, or under CircularEval the questions behind the rotations
 * @param accuracy 0..1 over all {@code questions}; unanswered questions count as wrong
 * @param metrics further headline numbers in a fixed order (POPE: {@code precision}, {@code recall}, {@code f1},
 *     {@code yes_ratio}; CircularEval: {@code row_accuracy})
 * @param categories per grouping ({@code category}, {@code answer_type}, …) the score of each group, first-seen order
 * @param unanswered ids of data rows without a prediction, in data order
 * @param unknownPredictions ids that predictions name but the data lacks, in prediction order; not scored
 * @param unparsed ids of answers from which no option could be read (multiple choice); counted wrong
 */
public record ScoreReport(int questions, double accuracy, Map<String, Double> metrics,
        Map<String, Map<String, GroupScore>> categories, List<String> unanswered, List<String> unknownPredictions,
        List<String> unparsed) {

    /**
     * One group's score.
     *
     * @param n scored units in the group
     * @param accuracy 0..1
     * @param metrics further numbers (POPE: precision, recall, f1, yes_ratio), possibly empty
     */
    public record GroupScore(int n, double accuracy, Map<String, Double> metrics) {
        public GroupScore {
            metrics = ordered(metrics);
        }
    }

    public ScoreReport {
        metrics = ordered(metrics);
        Map<String, Map<String, GroupScore>> c = new LinkedHashMap<>();
        categories.forEach((k, v) -> c.put(k, ordered(v)));
        categories = Collections.unmodifiableMap(c);
        unanswered = List.copyOf(unanswered);
        unknownPredictions = List.copyOf(unknownPredictions);
        unparsed = List.copyOf(unparsed);
    }

    /**
     * The headline numbers as S.json holds them: {@code questions}, {@code accuracy}, the metrics, {@code categories}
     * (grouping → group → {@code {n, accuracy, …}}), and {@code unanswered}, {@code unknown_predictions},
     * {@code unparsed} as counts, with their ids in {@code unanswered_ids}, {@code unknown_prediction_ids},
     * {@code unparsed_ids}.
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("questions", questions);
        o.addProperty("accuracy", accuracy);
        metrics.forEach(o::addProperty);
        JsonObject cats = new JsonObject();
        categories.forEach((grouping, groups) -> {
            JsonObject g = new JsonObject();
            groups.forEach((name, s) -> {
                JsonObject x = new JsonObject();
                x.addProperty("n", s.n());
                x.addProperty("accuracy", s.accuracy());
                s.metrics().forEach(x::addProperty);
                g.add(name, x);
            });
            cats.add(grouping, g);
        });
        o.add("categories", cats);
        ids(o, "unanswered", "unanswered_ids", unanswered);
        ids(o, "unknown_predictions", "unknown_prediction_ids", unknownPredictions);
        ids(o, "unparsed", "unparsed_ids", unparsed);
        return o;
    }

    private static void ids(JsonObject o, String name, String idsName, List<String> ids) {
        o.addProperty(name, ids.size());
        JsonArray a = new JsonArray();
        ids.forEach(a::add);
        o.add(idsName, a);
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
