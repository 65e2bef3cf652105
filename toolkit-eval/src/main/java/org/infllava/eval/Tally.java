package org.infllava.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The bookkeeping every scorer shares: which questions were asked, answered, parsed, and the scores per group. */
final class Tally {

    private final Map<String, String> predictions;
    private final Set<String> asked = new HashSet<>();
    private final List<String> unanswered = new ArrayList<>();
    private final List<String> unparsed = new ArrayList<>();
    private final Map<String, Map<String, double[]>> groups = new LinkedHashMap<>();
    private int n;
    private double sum;

    Tally(Map<String, String> predictions) {
        this.predictions = predictions;
    }

    /** The prediction for {@code id}, or {@code null} (recorded as unanswered); each id may be asked once. */
    String answer(String id) {
        if (!asked.add(id)) {
            throw new IllegalArgumentException("question id " + id + " appears twice in the data");
        }
        String p = predictions.get(id);
        if (p == null) {
            unanswered.add(id);
        }
        return p;
    }

    /**
     * Records that {@code id} was asked and whether it has a prediction, without scoring it (for readings whose
     * denominator leaves unanswered questions out); each id may be asked once.
     */
    void asked(String id, boolean answered) {
        if (!asked.add(id)) {
            throw new IllegalArgumentException("question id " + id + " appears twice in the data");
        }
        if (!answered) {
            unanswered.add(id);
        }
    }

    /** Records an answer from which nothing could be read. */
    void unparsed(String id) {
        unparsed.add(id);
    }

    /** Adds one scored unit (question, or circular group) with its groups. */
    void add(Map<String, String> itemGroups, double score) {
        n++;
        sum += score;
        itemGroups.forEach((grouping, group) -> {
            double[] g = groups.computeIfAbsent(grouping, k -> new LinkedHashMap<>())
                    .computeIfAbsent(group, k -> new double[2]);
            g[0]++;
            g[1] += score;
        });
    }

    int units() {
        return n;
    }

    double accuracy() {
        return n == 0 ? 0 : sum / n;
    }

    /** Per grouping, per group: n and mean score. */
    Map<String, Map<String, ScoreReport.GroupScore>> categories() {
        Map<String, Map<String, ScoreReport.GroupScore>> out = new LinkedHashMap<>();
        groups.forEach((grouping, byGroup) -> {
            Map<String, ScoreReport.GroupScore> m = new LinkedHashMap<>();
            byGroup.forEach((g, c) -> m.put(g, new ScoreReport.GroupScore((int) c[0], c[1] / c[0], Map.of())));
            out.put(grouping, m);
        });
        return out;
    }

    /** Prediction ids that no asked question has, in the predictions' order. */
    List<String> unknown() {
        List<String> out = new ArrayList<>();
        for (String id : predictions.keySet()) {
            if (!asked.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    ScoreReport report(Map<String, Double> metrics) {
        return report(metrics, categories());
    }

    ScoreReport report(Map<String, Double> metrics, Map<String, Map<String, ScoreReport.GroupScore>> categories) {
        return new ScoreReport(n, accuracy(), metrics, categories, unanswered, unknown(), unparsed);
    }
}
