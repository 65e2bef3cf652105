package org.infllava.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.ConfusionMetrics;
import org.tribuo.classification.evaluation.LabelConfusionMatrix;
import org.tribuo.evaluation.metrics.EvaluationMetric;
import org.tribuo.evaluation.metrics.MetricTarget;
import org.tribuo.impl.ArrayExample;

/**
 * POPE (object hallucination, yes/no questions): accuracy, precision, recall and F1 with "yes" as the positive
 * class, and the yes-ratio, as LLaVA's {@code eval_pope.py} computes them, through Tribuo's
 * {@link LabelConfusionMatrix} and {@link ConfusionMetrics}.
 *
 * <p>Answers are read by {@link #saysYes}. A question without a prediction counts as wrong: it is tabulated as a
 * third label, so it lowers accuracy, and a missed "yes" lowers recall; it is never a predicted "yes", so
 * precision is unaffected; the yes-ratio is over all questions. With every question answered the numbers are those of
 * {@code eval_pope.py}, except that answers are matched to labels by question id (the script zips two files by
 * position) and a ratio with a zero denominator is 0 (Tribuo's convention; the script would divide by zero).
 */
public final class Pope {

    static final Label YES = new Label("yes");
    static final Label NO = new Label("no");
    static final Label UNANSWERED = new Label("(unanswered)");
    private static final ImmutableOutputInfo<Label> DOMAIN =
            new LabelFactory().constructInfoForExternalModel(Map.of(YES, 0, NO, 1, UNANSWERED, 2));

    /**
     * One question.
     *
     * @param id question id
     * @param yes whether the object is present (label "yes")
     * @param groups grouping to group, for POPE {@code category} to {@code adversarial} / {@code popular} /
     *     {@code random}; may be empty
     */
    public record Item(String id, boolean yes, Map<String, String> groups) {
        public Item {
            groups = Map.copyOf(groups);
        }
    }

    /**
     * The confusion counts and metrics of a set of questions.
     *
     * @param tp said yes, label yes
     * @param fp said yes, label no
     * @param tn said no, label no
     * @param fn said no, label yes
     * @param unanswered no prediction
     * @param accuracy {@code (tp + tn) / n}
     * @param precision {@code tp / (tp + fp)}
     * @param recall {@code tp / (tp + fn + unanswered with label yes)}
     * @param f1 {@code 2·precision·recall / (precision + recall)}
     * @param yesRatio {@code (tp + fp) / n}
     */
    public record Metrics(int tp, int fp, int tn, int fn, int unanswered, double accuracy, double precision,
            double recall, double f1, double yesRatio) {

        /** Questions: {@code tp + fp + tn + fn + unanswered}. */
        public int n() {
            return tp + fp + tn + fn + unanswered;
        }

        Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("precision", precision);
            m.put("recall", recall);
            m.put("f1", f1);
            m.put("yes_ratio", yesRatio);
            return m;
        }
    }

    private Pope() {}

    /**
     * {@code eval_pope.py}'s reading of an answer: keep the text before the first period, delete commas, split on
     * single spaces; the answer is "no" when a word is exactly {@code No}, {@code no} or {@code not}, and "yes"
     * otherwise (so "NO" and "Not at all" read as yes, as they do in the script).
     */
    public static boolean saysYes(String answer) {
        String t = answer;
        int dot = t.indexOf('.');
        if (dot >= 0) {
            t = t.substring(0, dot);
        }
        for (String w : t.replace(",", "").split(" ", -1)) {
            if (w.equals("No") || w.equals("not") || w.equals("no")) {
                return false;
            }
        }
        return true;
    }

    /** The metrics of {@code items} given the predictions (question id to answer text); unanswered as above. */
    public static Metrics metrics(List<Item> items, Map<String, String> predictions) {
        List<Prediction<Label>> ps = new ArrayList<>(items.size());
        for (Item it : items) {
            String p = predictions.get(it.id());
            Label said = p == null ? UNANSWERED : saysYes(p) ? YES : NO;
            ps.add(new Prediction<>(said, 0, new ArrayExample<>(it.yes() ? YES : NO)));
        }
        return metrics(ps);
    }

    private static Metrics metrics(List<Prediction<Label>> ps) {
        LabelConfusionMatrix cm = new LabelConfusionMatrix(DOMAIN, ps);
        MetricTarget<Label> yes = new MetricTarget<>(YES);
        int tp = (int) cm.confusion(YES, YES);
        int fp = (int) cm.confusion(YES, NO);
        int tn = (int) cm.confusion(NO, NO);
        int fn = (int) cm.confusion(NO, YES);
        int unanswered = (int) (cm.confusion(UNANSWERED, YES) + cm.confusion(UNANSWERED, NO));
        double n = cm.support();
        return new Metrics(tp, fp, tn, fn, unanswered,
                n == 0 ? 0 : ConfusionMetrics.accuracy(EvaluationMetric.Average.MICRO, cm),
                ConfusionMetrics.precision(yes, cm), ConfusionMetrics.recall(yes, cm), ConfusionMetrics.f1(yes, cm),
                n == 0 ? 0 : (tp + fp) / n);
    }

    /**
     * Scores every question: headline {@link Metrics} over all items (as {@code precision}, {@code recall},
     * {@code f1}, {@code yes_ratio} beside accuracy), and the same per group.
     */
    public static ScoreReport evaluate(List<Item> items, Map<String, String> predictions) {
        Tally tally = new Tally(predictions);
        Map<String, Map<String, List<Item>>> byGroup = new LinkedHashMap<>();
        for (Item it : items) {
            String p = tally.answer(it.id());
            tally.add(it.groups(), p != null && saysYes(p) == it.yes() ? 1 : 0);
            it.groups().forEach((grouping, g) -> byGroup.computeIfAbsent(grouping, k -> new LinkedHashMap<>())
                    .computeIfAbsent(g, k -> new ArrayList<>()).add(it));
        }
        Map<String, Map<String, ScoreReport.GroupScore>> categories = new LinkedHashMap<>();
        byGroup.forEach((grouping, groups) -> {
            Map<String, ScoreReport.GroupScore> m = new LinkedHashMap<>();
            groups.forEach((g, its) -> {
                Metrics x = metrics(its, predictions);
                m.put(g, new ScoreReport.GroupScore(x.n(), x.accuracy(), x.asMap()));
            });
            categories.put(grouping, m);
        });
        Metrics all = metrics(items, predictions);
        return tally.report(all.asMap(), categories);
    }
}
