package org.infllava.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exact-match accuracy per group (task, category, …) with 95 % Wilson score intervals, for short answers such as
 * HiResSynth's: the prediction's first word, lower-cased and stripped of punctuation, against the reference.
 */
public final class Accuracy {

    /**
     * One group's result.
     *
     * @param group the group name
     * @param n samples
     * @param correct correct answers
     * @param accuracy {@code correct / n}
     * @param ciLow lower bound of the 95 % Wilson interval
     * @param ciHigh upper bound
     */
    public record Result(String group, int n, int correct, double accuracy, double ciLow, double ciHigh) {}

    /**
     * One scored answer.
     *
     * @param group its group
     * @param prediction the model's text
     * @param reference the expected answer
     */
    public record Item(String group, String prediction, String reference) {}

    private Accuracy() {}

    /** The first word, lower-cased, without surrounding punctuation. */
    public static String normalise(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        String first = t.isEmpty() ? "" : t.split("\\s+")[0];
        return first.replaceAll("^\\p{Punct}+|\\p{Punct}+$", "");
    }

    /** Results per group in first-seen order. */
    public static Map<String, Result> byGroup(List<Item> items) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (Item i : items) {
            int[] c = counts.computeIfAbsent(i.group(), k -> new int[2]);
            c[0]++;
            if (normalise(i.prediction()).equals(normalise(i.reference()))) {
                c[1]++;
            }
        }
        Map<String, Result> out = new LinkedHashMap<>();
        counts.forEach((g, c) -> {
            double[] ci = wilson(c[1], c[0]);
            out.put(g, new Result(g, c[0], c[1], c[0] == 0 ? 0 : (double) c[1] / c[0], ci[0], ci[1]));
        });
        return out;
    }

    /**
     * The 95 % Wilson score interval of {@code k} successes in {@code n} trials (z = 1.959964):
     * {@code (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)}.
     */
    public static double[] wilson(int k, int n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double z = 1.959963984540054;
        double p = (double) k / n;
        double denom = 1 + z * z / n;
        double centre = p + z * z / (2.0 * n);
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
        return new double[] {Math.max(0, (centre - half) / denom), Math.min(1, (centre + half) / denom)};
    }
}
