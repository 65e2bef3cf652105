package org.infllava.eval;

/**
 * Two models (A and B) scored on the same questions: the paired 2×2 table of correctness, the accuracy difference
 * {@code acc(A) − acc(B)} with a 95 % interval (Newcombe's method 10), and the exact McNemar p-value.
 *
 * <p>Cells: {@code both} (A and B right), {@code onlyA} (A right, B wrong), {@code onlyB} (A wrong, B right),
 * {@code neither}. The difference is {@code (onlyA − onlyB) / n}; only the discordant pairs inform the test.
 *
 * @param n questions
 * @param both questions both models answer correctly
 * @param onlyA questions only A answers correctly
 * @param onlyB questions only B answers correctly
 * @param neither questions neither answers correctly
 * @param diff {@code acc(A) − acc(B)}
 * @param ciLow lower bound of the 95 % interval of {@code diff}
 * @param ciHigh upper bound
 * @param pValue exact two-sided McNemar p-value (1 when there is no discordant pair)
 */
public record PairedComparison(int n, int both, int onlyA, int onlyB, int neither, double diff, double ciLow,
        double ciHigh, double pValue) {

    /** Standard normal quantile for a two-sided 95 % interval. */
    static final double Z95 = 1.959963984540054;

    /** Validates the counts. */
    public PairedComparison {
        if (both < 0 || onlyA < 0 || onlyB < 0 || neither < 0 || n != both + onlyA + onlyB + neither) {
            throw new IllegalArgumentException("a paired table needs counts >= 0 summing to n; got n=" + n + " both="
                    + both + " onlyA=" + onlyA + " onlyB=" + onlyB + " neither=" + neither);
        }
    }

    /** The comparison from per-question correctness of A and B, in the same question order. */
    public static PairedComparison of(boolean[] a, boolean[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired answers need the same questions: " + a.length + " vs "
                    + b.length);
        }
        int[] cells = new int[4];
        for (int i = 0; i < a.length; i++) {
            cells[(a[i] ? 0 : 2) + (b[i] ? 0 : 1)]++;
        }
        // cells: 0 both, 1 A only, 2 B only, 3 neither
        return of(cells[0], cells[1], cells[2], cells[3]);
    }

    /** The comparison from the four cells of the paired table. */
    public static PairedComparison of(int both, int onlyA, int onlyB, int neither) {
        int n = both + onlyA + onlyB + neither;
        double[] ci = newcombe(both, onlyA, onlyB, neither);
        double d = n == 0 ? 0 : (double) (onlyA - onlyB) / n;
        return new PairedComparison(n, both, onlyA, onlyB, neither, d, ci[0], ci[1], mcnemarExact(onlyA, onlyB));
    }

    /** Discordant pairs ({@code onlyA + onlyB}). */
    public int discordant() {
        return onlyA + onlyB;
    }

    /**
     * Newcombe's (1998, Stat. Med. 17:2635, method 10) 95 % interval for the difference of paired proportions
     * {@code p1 − p2}, {@code p1 = (a+b)/n}, {@code p2 = (a+c)/n}: Wilson score intervals {@code [l1, u1]},
     * {@code [l2, u2]} for the marginals combined with the correlation {@code φ} of the table,
     * {@code L = D − √((p1−l1)² − 2φ(p1−l1)(u2−p2) + (u2−p2)²)},
     * {@code U = D + √((p2−l2)² − 2φ(p2−l2)(u1−p1) + (u1−p1)²)}, where {@code φ = C / √((a+b)(c+d)(a+c)(b+d))} with
     * {@code C = ad − bc − n/2} if {@code ad − bc > n/2}, {@code C = ad − bc} if it is negative, 0 otherwise (and
     * {@code φ = 0} when a margin is empty).
     *
     * @param a both right
     * @param b only the first right
     * @param c only the second right
     * @param d neither right
     * @return {@code {low, high}}
     */
    public static double[] newcombe(int a, int b, int c, int d) {
        int n = a + b + c + d;
        if (n == 0) {
            return new double[] {-1, 1};
        }
        double p1 = (double) (a + b) / n;
        double p2 = (double) (a + c) / n;
        double[] w1 = Accuracy.wilson(a + b, n);
        double[] w2 = Accuracy.wilson(a + c, n);
        double margins = (double) (a + b) * (c + d) * (a + c) * (b + d);
        double phi = 0;
        if (margins > 0) {
            double num = (double) a * d - (double) b * c;
            double corrected = num > n / 2.0 ? num - n / 2.0 : num < 0 ? num : 0;
            phi = corrected / Math.sqrt(margins);
        }
        double diff = p1 - p2;
        double lo = diff - Math.sqrt(Math.max(0, sq(p1 - w1[0]) - 2 * phi * (p1 - w1[0]) * (w2[1] - p2)
                + sq(w2[1] - p2)));
        double hi = diff + Math.sqrt(Math.max(0, sq(p2 - w2[0]) - 2 * phi * (p2 - w2[0]) * (w1[1] - p1)
                + sq(w1[1] - p1)));
        return new double[] {Math.max(-1, lo), Math.min(1, hi)};
    }

    /**
     * The exact two-sided McNemar test: under the null each of the {@code b + c} discordant pairs favours either model
     * with probability ½, so {@code p = min(1, 2·P(X ≤ min(b, c)))}, {@code X ~ Binomial(b + c, ½)}.
     */
    public static double mcnemarExact(int b, int c) {
        int m = b + c;
        if (m == 0) {
            return 1;
        }
        int k = Math.min(b, c);
        // log C(m, i) accumulated to stay finite for large m; P(X = i) = C(m, i) / 2^m
        double logHalf = m * Math.log(0.5);
        double logC = 0; // log C(m, 0)
        double tail = 0;
        for (int i = 0; i <= k; i++) {
            if (i > 0) {
                logC += Math.log(m - i + 1) - Math.log(i);
            }
            tail += Math.exp(logC + logHalf);
        }
        return Math.min(1, 2 * tail);
    }

    /**
     * Questions a paired comparison needs to detect a difference {@code delta} at two-sided level {@code alpha} with
     * the given power, when a fraction {@code discordance} of the questions is answered correctly by exactly one of
     * the two models (Connor 1987, the normal approximation to McNemar's test):
     * {@code n = (z_{1−α/2}·√ψ + z_{power}·√(ψ − δ²))² / δ²}, rounded up.
     */
    public static int questionsFor(double delta, double discordance, double alpha, double power) {
        if (!(delta > 0) || !(discordance >= delta) || discordance > 1 || !(alpha > 0 && alpha < 1)
                || !(power > 0 && power < 1)) {
            throw new IllegalArgumentException("need 0 < delta <= discordance <= 1, 0 < alpha, power < 1; got delta="
                    + delta + " discordance=" + discordance + " alpha=" + alpha + " power=" + power);
        }
        double za = normalQuantile(1 - alpha / 2);
        double zb = normalQuantile(power);
        double s = za * Math.sqrt(discordance) + zb * Math.sqrt(discordance - delta * delta);
        return (int) Math.ceil(s * s / (delta * delta) - 1e-9);
    }

    /**
     * The standard normal quantile (P. J. Acklam's rational approximation; relative error < 1.2e-9).
     */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("a quantile needs 0 < p < 1, got " + p);
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double x;
        if (p < 0.02425) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else if (p > 1 - 0.02425) {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else {
            double q = p - 0.5;
            double r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        return x;
    }

    private static double sq(double x) {
        return x * x;
    }
}
