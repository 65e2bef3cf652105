package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The normalisation rules of vqaEval.py and EvalAI, each case worked by hand from the rules. */
class VqaAnswersTest {

    @ParameterizedTest(name = "punctuation: [{0}] -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // '-' touches no space: replaced by a space.
        "t-shirt|t shirt",
        // '(' has a space before it: deleted; ')' touches no space: a space.
        "left (of the car)|\"left of the car \"",
        // digit,digit anywhere: every mark is deleted, not spaced.
        "1,000 (approx)|1000 approx",
        // A period before a digit stays; others go.
        "3.5.|3.5",
        "Mr. Smith|Mr Smith",
        // '!' and '?' are marks; '.' is not in the list and follows its own rule.
        "stop!|\"stop \"",
        "why? because.|why because",
        // An apostrophe is not a mark.
        "man's|man's"})
    void processPunctuation(String in, String out) {
        assertEquals(out, VqaAnswers.processPunctuation(in));
    }

    @Test
    void onlyTheFirst32PeriodsGo() {
        // periodStrip.sub("", text, re.UNICODE) passes 32 as the count: of 33 periods before "x", one survives.
        assertEquals(".x", VqaAnswers.processPunctuation(".".repeat(33) + "x"));
        assertEquals("x", VqaAnswers.processPunctuation(".".repeat(32) + "x"));
    }

    @ParameterizedTest(name = "digits and articles: [{0}] -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Three Dogs|3 dogs",
        "none|0",
        "ten|10",
        // "eleven" is not in the map.
        "eleven|eleven",
        "the red car|red car",
        "An apple a day|apple day",
        // Contractions are restored after lower-casing; "Im" is a key, but lower-cased words never match it.
        "dont know|don't know",
        "Im here|im here",
        "\"  two\t  words \"|2 words"})
    void processDigitArticle(String in, String out) {
        assertEquals(out, VqaAnswers.processDigitArticle(in));
    }

    @ParameterizedTest(name = "EvalAI: [{0}] -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // Lower-case, drop '?' and ',' before the punctuation rule, split "'s".
        "Yes.|yes",
        "What's that?|what 's that",
        "1,000|1000",
        "The Man's hat|man 's hat",
        "two-thirds|2 thirds"})
    void evalAi(String in, String out) {
        assertEquals(out, VqaAnswers.evalAi(in));
    }

    @Test
    void pythonWhitespaceIsUsedForSplittingAndStripping() {
        // U+00A0 (no-break space, category Zs) splits words in Python's str.split(); Java's \s would not.
        assertEquals("red car", VqaAnswers.processDigitArticle("red\u00a0car"));
        assertEquals("yes", VqaAnswers.vqaEvalStrip("\u2003yes\n\t"));
    }

    @Test
    void tablesAreTheOfficialOnes() {
        assertEquals(120, VqaAnswers.CONTRACTIONS.size());
        assertEquals("somebodyd", VqaAnswers.CONTRACTIONS.get("somebody'd"), "the official table's odd entry kept");
        assertEquals(21, VqaAnswers.PUNCTUATION.size());
        assertEquals(12, VqaAnswers.NUMBERS.size());
    }
}
