package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.eval.VqaAccuracy.Rules;
import org.junit.jupiter.api.Test;

class VqaAccuracyTest {

    /** {@code k} copies of {@code a} and {@code 10 - k} distinct other answers. */
    private static List<String> tenWith(String a, int k) {
        List<String> out = new ArrayList<>(Collections.nCopies(k, a));
        for (int i = out.size(); i < 10; i++) {
            out.add("other" + i);
        }
        return out;
    }

    @Test
    void leaveOneOutAveragesByHand() {
        for (Rules r : Rules.values()) {
            // 0 annotators gave it: 0 in every subset.
            assertEquals(0.0, VqaAccuracy.score("cat", tenWith("cat", 0), r), 1e-12);
            // 1 annotator: leaving that one out (1 subset) leaves 0 → 0; the other 9 subsets keep 1 → 1/3.
            // (1·0 + 9·1/3) / 10 = 0.3
            assertEquals(0.3, VqaAccuracy.score("cat", tenWith("cat", 1), r), 1e-12);
            // 2 annotators: 2 subsets keep 1 match → 1/3, 8 keep 2 → 2/3; (2/3 + 16/3) / 10 = 0.6
            assertEquals(0.6, VqaAccuracy.score("cat", tenWith("cat", 2), r), 1e-12);
            // 3 annotators: 3 subsets keep 2 → 2/3, 7 keep 3 → 1; (2 + 7) / 10 = 0.9
            assertEquals(0.9, VqaAccuracy.score("cat", tenWith("cat", 3), r), 1e-12);
            // 4 annotators: every subset keeps at least 3 → 1.
            assertEquals(1.0, VqaAccuracy.score("cat", tenWith("cat", 4), r), 1e-12);
        }
        // Not only for ten answers: 3 answers, 2 match: leaving a match out leaves 1 (twice), leaving the other out
        // leaves 2; (1/3 + 1/3 + 2/3) / 3 = 4/9.
        assertEquals(4.0 / 9, VqaAccuracy.score("cat", List.of("cat", "cat", "dog"), Rules.EVALAI), 1e-12);
    }

    @Test
    void vqaEvalNormalisesOnlyWhenTheHumansDisagree() {
        List<String> unanimous = Collections.nCopies(10, "2");
        // vqaEval.py: ten equal answers → no normalisation → "two" ≠ "2" → 0. EvalAI: "two" → "2", 10 matches → 1.
        assertEquals(0.0, VqaAccuracy.score("two", unanimous, Rules.VQA_EVAL), 1e-12);
        assertEquals(1.0, VqaAccuracy.score("two", unanimous, Rules.EVALAI), 1e-12);
        // One dissenting "3" switches normalisation on: "two" → "2" matches 9 → every subset ≥ 8 → 1.
        List<String> split = new ArrayList<>(Collections.nCopies(9, "2"));
        split.add("3");
        assertEquals(1.0, VqaAccuracy.score("two", split, Rules.VQA_EVAL), 1e-12);
        // Both strip newlines, tabs and spaces first: "2\n" matches the unanimous "2" under either rule.
        assertEquals(1.0, VqaAccuracy.score(" 2\n", unanimous, Rules.VQA_EVAL), 1e-12);
    }

    @Test
    void evaluateCountsUnansweredAsWrongAndReportsUnknownIds() {
        List<VqaAccuracy.Item> items = List.of(
                new VqaAccuracy.Item("1", tenWith("cat", 3), Map.of("answer_type", "other")),
                new VqaAccuracy.Item("2", tenWith("yes", 10), Map.of("answer_type", "yes/no")),
                new VqaAccuracy.Item("3", tenWith("2", 1), Map.of("answer_type", "number")),
                new VqaAccuracy.Item("4", tenWith("dog", 2), Map.of("answer_type", "other")));
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("1", "Cat");
        preds.put("2", "yes");
        preds.put("99", "orphan");
        preds.put("4", "a dog.");
        ScoreReport r = VqaAccuracy.evaluate(items, preds, Rules.EVALAI);
        // 1: 0.9 (3 of 10); 2: 1; 3: unanswered → 0; 4: "a dog." → "dog", 2 of 10 → 0.6. Mean (0.9+1+0+0.6)/4 = 0.625
        assertEquals(4, r.questions());
        assertEquals(0.625, r.accuracy(), 1e-12);
        assertEquals(List.of("3"), r.unanswered());
        assertEquals(List.of("99"), r.unknownPredictions());
        // other: (0.9 + 0.6) / 2 = 0.75 over 2; number: 0 over 1 (the unanswered one).
        assertEquals(0.75, r.categories().get("answer_type").get("other").accuracy(), 1e-12);
        assertEquals(2, r.categories().get("answer_type").get("other").n());
        assertEquals(0.0, r.categories().get("answer_type").get("number").accuracy(), 1e-12);
        assertEquals(List.of("other", "yes/no", "number"), List.copyOf(r.categories().get("answer_type").keySet()));
    }
}
