package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link PairedComparison} against {@code src/test/python/paired_goldens.py} (an independent standard-library Python
 * implementation: exact fractions for McNemar, {@code statistics.NormalDist} for the quantiles) and hand derivations.
 */
class PairedComparisonTest {

    /** By hand: b + c = 6 discordant pairs; P(X ≤ 1) = (1 + 6) / 64, two-sided 14/64; P(X = 0) = 1/64 → 2/64. */
    @Test
    void mcnemarByHand() {
        assertEquals(14.0 / 64, PairedComparison.mcnemarExact(1, 5), 1e-15);
        assertEquals(14.0 / 64, PairedComparison.mcnemarExact(5, 1), 1e-15);
        assertEquals(2.0 / 64, PairedComparison.mcnemarExact(0, 6), 1e-15);
        assertEquals(1.0, PairedComparison.mcnemarExact(3, 3), 0); // 2·P(X ≤ 3) > 1, capped
        assertEquals(1.0, PairedComparison.mcnemarExact(0, 0), 0);
    }

    @Test
    void mcnemarAgainstPython() {
        assertEquals(0.0166738478001207, PairedComparison.mcnemarExact(10, 25), 1e-12);
        assertEquals(0.000127538783855741, PairedComparison.mcnemarExact(40, 12), 1e-14);
        assertEquals(0.00872003653055595, PairedComparison.mcnemarExact(200, 150), 1e-12);
    }

    @Test
    void newcombeAgainstPython() {
        assertCi(0.159090909090909, 0.0112425035511984, 0.295371780646609, 12, 9, 2, 21);
        assertCi(0.166666666666667, 0.0796286256257193, 0.249559086225538, 30, 25, 5, 60);
        assertCi(0, -0.0897566593776805, 0.0897566593776805, 10, 0, 0, 10);
        assertCi(0, -0.337381183973374, 0.337381183973374, 5, 7, 7, 1);
        assertCi(-0.3, -0.561125990652651, 0.0342682298464825, 0, 3, 9, 8);
    }

    private static void assertCi(double diff, double lo, double hi, int a, int b, int c, int d) {
        PairedComparison p = PairedComparison.of(a, b, c, d);
        assertEquals(diff, p.diff(), 1e-12);
        assertEquals(lo, p.ciLow(), 1e-9);
        assertEquals(hi, p.ciHigh(), 1e-9);
        assertEquals(a + b + c + d, p.n());
    }

    /** Per-question vectors land in the right cells: A = {1,1,0,0,1}, B = {1,0,1,0,0} → both 1, A only 2, B only 1. */
    @Test
    void cellsFromAnswerVectors() {
        PairedComparison p = PairedComparison.of(new boolean[] {true, true, false, false, true},
                new boolean[] {true, false, true, false, false});
        assertEquals(1, p.both());
        assertEquals(2, p.onlyA());
        assertEquals(1, p.onlyB());
        assertEquals(1, p.neither());
        assertEquals(0.2, p.diff(), 1e-15);
        assertEquals(1.0, p.pValue(), 0); // 2·P(X ≤ 1 | 3) = 2·4/8 = 1
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(new boolean[2], new boolean[3]));
    }

    /** Connor's sample size; by hand for δ = 0.1, ψ = 0.3: (1.95996·0.54772 + 0.84162·0.53852)² / 0.01 = 233.1 → 234. */
    @Test
    void questionsForPowerAgainstPython() {
        assertEquals(234, PairedComparison.questionsFor(0.1, 0.3, 0.05, 0.8));
        assertEquals(312, PairedComparison.questionsFor(0.1, 0.4, 0.05, 0.8));
        assertEquals(120, PairedComparison.questionsFor(0.15, 0.35, 0.05, 0.8));
        assertEquals(33, PairedComparison.questionsFor(0.3, 0.4, 0.05, 0.8));
        assertEquals(1.959963984540054, PairedComparison.normalQuantile(0.975), 1e-8);
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.questionsFor(0.2, 0.1, 0.05, 0.8));
    }
}
