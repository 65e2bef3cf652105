package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccuracyTest {

    /**
     * Wilson interval by hand for 8 of 10 (z = 1.96): p = 0.8, z²/n = 0.38415, denominator 1.38415, centre
     * 0.8 + 0.192073 = 0.992073, half-width 1.959964·√(0.016 + 0.0096036) = 1.959964·0.160011 = 0.313617;
     * bounds (0.992073 ∓ 0.313617) / 1.38415 = 0.490162 and 0.943318.
     */
    @Test
    void wilsonIntervalByHand() {
        double[] ci = Accuracy.wilson(8, 10);
        assertEquals(0.490162, ci[0], 2e-6);
        assertEquals(0.943318, ci[1], 2e-6);
        // 0 of 20: lower bound 0, upper z²/n / (1 + z²/n) = 0.192073/1.192073 = 0.161125.
        assertEquals(0.0, Accuracy.wilson(0, 20)[0], 1e-12);
        assertEquals(0.161125, Accuracy.wilson(0, 20)[1], 1e-5);
    }

    @Test
    void firstWordNormalisedAndGroupedInOrder() {
        assertEquals("yes", Accuracy.normalise("  Yes, it is."));
        assertEquals("3", Accuracy.normalise("3."));
        Map<String, Accuracy.Result> r = Accuracy.byGroup(List.of(
                new Accuracy.Item("count", "3", "3"), new Accuracy.Item("count", "4 objects", "3"),
                new Accuracy.Item("exists", "No.", "no")));
        assertEquals(List.of("count", "exists"), List.copyOf(r.keySet()));
        assertEquals(0.5, r.get("count").accuracy(), 1e-12);
        assertEquals(1, r.get("exists").correct());
    }
}
