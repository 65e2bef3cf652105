package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PopeTest {

    @ParameterizedTest(name = "[{0}] says yes: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Yes, there is a dog.|true",
        "No, there is no dog.|false",
        "There is not a dog in the image.|false",
        // Only the first sentence counts.
        "Yes. There is no cat.|true",
        "no.|false",
        // Commas are deleted, so "no," is the word "no".
        "no, it is absent|false",
        // Exact words only: "NO", "Not", "nope" and "don't" are not No/no/not, so they read as yes.
        "NO|true",
        "Not at all|true",
        "Nope|true",
        "I don't see one|true",
        // Split on single spaces: "No\nthere" is one word.
        "\"No\nthere\"|true"})
    void readsAnswersAsEvalPopeDoes(String answer, boolean yes) {
        assertEquals(yes, Pope.saysYes(answer));
    }

    /** Labels and answers for the hand-worked case: 3 yes-labelled, 3 no-labelled questions. */
    private static final List<Pope.Item> ITEMS = List.of(
            new Pope.Item("1", true, Map.of("category", "random")),
            new Pope.Item("2", true, Map.of("category", "random")),
            new Pope.Item("3", true, Map.of("category", "popular")),
            new Pope.Item("4", false, Map.of("category", "random")),
            new Pope.Item("5", false, Map.of("category", "popular")),
            new Pope.Item("6", false, Map.of("category", "popular")));

    @Test
    void metricsByHand() {
        Map<String, String> preds = Map.of("1", "Yes", "2", "No", "3", "Yes", "4", "Yes", "5", "No", "6", "No");
        Pope.Metrics m = Pope.metrics(ITEMS, preds);
        // tp: 1, 3; fn: 2; fp: 4; tn: 5, 6.
        assertEquals(List.of(2, 1, 2, 1, 0), List.of(m.tp(), m.fp(), m.tn(), m.fn(), m.unanswered()));
        assertEquals(4.0 / 6, m.accuracy(), 1e-12);       // (2 + 2) / 6
        assertEquals(2.0 / 3, m.precision(), 1e-12);      // 2 / (2 + 1)
        assertEquals(2.0 / 3, m.recall(), 1e-12);         // 2 / (2 + 1)
        assertEquals(2.0 / 3, m.f1(), 1e-12);             // 2·(2/3)·(2/3) / (4/3)
        assertEquals(0.5, m.yesRatio(), 1e-12);           // 3 yes of 6
    }

    @Test
    void unansweredIsWrongAndAMissedYes() {
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("1", "Yes");
        preds.put("3", "Yes");
        preds.put("4", "Yes");
        preds.put("5", "No");
        preds.put("6", "No");
        preds.put("7", "Yes"); // no such question
        Pope.Metrics m = Pope.metrics(ITEMS, preds);
        // Question 2 (label yes) unanswered: tp 2 (1, 3), fp 1 (4), tn 2 (5, 6), fn 0, unanswered 1.
        assertEquals(List.of(2, 1, 2, 0, 1), List.of(m.tp(), m.fp(), m.tn(), m.fn(), m.unanswered()));
        assertEquals(4.0 / 6, m.accuracy(), 1e-12);   // (2 + 2) / 6: the unanswered one is wrong
        assertEquals(2.0 / 3, m.precision(), 1e-12);  // 2 / (2 + 1): unaffected
        assertEquals(2.0 / 3, m.recall(), 1e-12);     // 2 / 3 yes labels: the unanswered yes is missed
        assertEquals(0.5, m.yesRatio(), 1e-12);       // 3 yes of all 6 questions
        ScoreReport r = Pope.evaluate(ITEMS, preds);
        assertEquals(List.of("2"), r.unanswered());
        assertEquals(List.of("7"), r.unknownPredictions());
        assertEquals(4.0 / 6, r.accuracy(), 1e-12);
        // random: 1 yes/yes, 2 unanswered, 4 said yes to a no → accuracy 1/3, precision 1/2, recall 1/2.
        ScoreReport.GroupScore random = r.categories().get("category").get("random");
        assertEquals(3, random.n());
        assertEquals(1.0 / 3, random.accuracy(), 1e-12);
        assertEquals(0.5, random.metrics().get("precision"), 1e-12);
        assertEquals(0.5, random.metrics().get("recall"), 1e-12);
        // popular: 3 yes/yes, 5 and 6 no/no → all right.
        assertEquals(1.0, r.categories().get("category").get("popular").accuracy(), 1e-12);
    }

    @Test
    void undefinedRatiosAreZero() {
        // Never says yes: precision 0/0 and F1 are reported as 0 (Tribuo's convention).
        Pope.Metrics m = Pope.metrics(ITEMS, Map.of("1", "no", "2", "no", "3", "no", "4", "no", "5", "no", "6", "no"));
        assertEquals(0.0, m.precision());
        assertEquals(0.0, m.f1());
        assertEquals(0.5, m.accuracy(), 1e-12); // the three no-labels
    }

    @Test
    void reportJsonHasTheHeadlineNumbers() {
        JsonObject o = Pope.evaluate(ITEMS, Map.of("1", "Yes", "2", "No", "3", "Yes", "4", "Yes", "5", "No"))
                .toJson();
        for (String k : new String[] {"accuracy", "precision", "recall", "f1", "yes_ratio", "unanswered",
            "unknown_predictions", "categories"}) {
            assertTrue(o.has(k), k);
        }
        assertEquals(1, o.get("unanswered").getAsInt());
        assertEquals("6", o.getAsJsonArray("unanswered_ids").get(0).getAsString());
        assertFalse(o.getAsJsonObject("categories").getAsJsonObject("category").has("unknown"));
    }
}
