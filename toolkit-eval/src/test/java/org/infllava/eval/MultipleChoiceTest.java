package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MultipleChoiceTest {

    static final List<String> OPTIONS = List.of("a cat", "a dog", "a red bird", "none of these");

    @ParameterizedTest(name = "[{0}] -> option {1} by {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "B|1|letter",
        "b|1|letter",
        "(C)|2|letter",
        "D.|3|letter",
        "\" A) \"|0|letter",
        "B. a dog|1|letter prefix",
        "(C) a red bird|2|letter prefix",
        "D: none of these|3|letter prefix",
        "The answer is C.|2|answer phrase",
        "Answer: (B)|1|answer phrase",
        "I believe the correct option is A, the cat.|0|answer phrase",
        "A red bird.|2|option text",
        "  a DOG |1|option text"})
    void readsTheOption(String answer, int option, String rule) {
        assertEquals(new MultipleChoice.Extraction(option, rule), MultipleChoice.extract(answer, OPTIONS));
    }

    @ParameterizedTest(name = "[{0}] names no option")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // E is beyond four options.
        "E",
        "The answer is E.",
        // Two different letters after "answer"/"option".
        "Option A is wrong, the answer is B",
        // "A" followed by a word is the article, not a letter.
        "A bird",
        "a fish",
        "\"\""})
    void readsNothing(String answer) {
        MultipleChoice.Extraction e = MultipleChoice.extract(answer, OPTIONS);
        assertEquals(-1, e.option(), e.rule());
        assertTrue(!e.parsed());
    }

    @Test
    void lettersFollowTheOptionCount() {
        // MMMU questions can have up to nine options: "I" is the ninth.
        List<String> nine = List.of("1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertEquals(8, MultipleChoice.extract("I", nine).option());
        assertEquals(-1, MultipleChoice.extract("C", List.of("yes", "no")).option());
    }

    @Test
    void evaluateCountsUnansweredAndUnparsedAsWrong() {
        List<MultipleChoice.Item> items = List.of(
                new MultipleChoice.Item("q1", OPTIONS, 1, Map.of("subject", "nature")),
                new MultipleChoice.Item("q2", OPTIONS, 2, Map.of("subject", "nature")),
                new MultipleChoice.Item("q3", OPTIONS, 0, Map.of("subject", "language")),
                new MultipleChoice.Item("q4", OPTIONS, 3, Map.of("subject", "language")));
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("q1", "B");            // right
        preds.put("q2", "A");            // wrong
        preds.put("q3", "no idea");      // unparsed → wrong
        preds.put("q9", "A");            // unknown question
        ScoreReport r = MultipleChoice.evaluate(items, preds);
        // q4 unanswered; 1 right of 4.
        assertEquals(0.25, r.accuracy(), 1e-12);
        assertEquals(List.of("q4"), r.unanswered());
        assertEquals(List.of("q3"), r.unparsed());
        assertEquals(List.of("q9"), r.unknownPredictions());
        assertEquals(0.5, r.categories().get("subject").get("nature").accuracy(), 1e-12);
        assertEquals(0.0, r.categories().get("subject").get("language").accuracy(), 1e-12);
    }

    @Test
    void circularEvalNeedsEveryRotationRight() {
        // Question 7 in two rotations: options rotate by one, so the answer letter moves from B to A.
        List<String> rot0 = List.of("cat", "dog", "bird");
        List<String> rot1 = List.of("dog", "bird", "cat");
        List<MultipleChoice.Item> items = List.of(
                new MultipleChoice.Item("7", rot0, 1, Map.of("category", "animals")),
                new MultipleChoice.Item("1000007", rot1, 0, Map.of("category", "animals")),
                new MultipleChoice.Item("8", rot0, 0, Map.of("category", "animals")),
                new MultipleChoice.Item("1000008", rot1, 2, Map.of("category", "animals")),
                new MultipleChoice.Item("9", rot0, 2, Map.of("category", "colours")));
        Map<String, String> preds = Map.of(
                "7", "B", "1000007", "A",        // both rotations right → counts
                "8", "A", "1000008", "B",        // second rotation wrong → does not count
                "9", "C");
        ScoreReport r = MultipleChoice.evaluateCircular(items, i -> String.valueOf(Long.parseLong(i.id()) % 1_000_000),
                preds);
        // Questions 7, 8, 9: 7 and 9 right → 2/3. Rows: 4 of 5 right → row accuracy 0.8.
        assertEquals(3, r.questions());
        assertEquals(2.0 / 3, r.accuracy(), 1e-12);
        assertEquals(0.8, r.metrics().get("row_accuracy"), 1e-12);
        assertEquals(0.5, r.categories().get("category").get("animals").accuracy(), 1e-12);
        assertEquals(2, r.categories().get("category").get("animals").n());
        // Without CircularEval each row counts: 4/5.
        assertEquals(0.8, MultipleChoice.evaluate(items, preds).accuracy(), 1e-12);
        // An unanswered rotation sinks its question.
        Map<String, String> missing = new LinkedHashMap<>(preds);
        missing.remove("1000007");
        ScoreReport m = MultipleChoice.evaluateCircular(items, i -> String.valueOf(Long.parseLong(i.id()) % 1_000_000),
                missing);
        assertEquals(1.0 / 3, m.accuracy(), 1e-12);
        assertEquals(List.of("1000007"), m.unanswered());
    }

    @Test
    void itemsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new MultipleChoice.Item("x", List.of("a", "b"), 2,
                Map.of()));
        assertThrows(IllegalArgumentException.class, () -> MultipleChoice.evaluate(List.of(
                new MultipleChoice.Item("x", OPTIONS, 0, Map.of()), new MultipleChoice.Item("x", OPTIONS, 1,
                        Map.of())), Map.of()));
    }
}
