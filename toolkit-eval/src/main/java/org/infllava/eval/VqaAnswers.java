package org.infllava.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer normalisation of the official VQA evaluation, ported rule for rule from two sources:
 * <ul>
 *   <li>{@code vqaEval.py} of GT-Vision-Lab/VQA (master, after the 2021 fix "Fixed processing answers bug"):
 *       {@link #processPunctuation}, {@link #processDigitArticle};</li>
 *   <li>the EvalAI answer processor of the VQA and TextVQA challenge servers (mmf; LLaVA's {@code m4c_evaluator.py}):
 *       {@link #evalAi}, which first lower-cases, drops {@code ,} and {@code ?} and splits {@code 's}, then applies
 *       the same two steps with a comma pattern of {@code (?<=\d)(\,)+(?=\d)}.</li>
 * </ul>
 * The quirks are kept on purpose, since scores must match the official ones: the period rule
 * {@code (?!<=\d)(\.)(?!\d)} removes a period unless a digit follows (its first group is a look-ahead for the text
 * "&lt;=digit", always true there, not the look-behind it resembles); {@code periodStrip.sub("", text, re.UNICODE)}
 * passes {@code re.UNICODE} (32) as the count, so only the first 32 periods go; a punctuation mark is deleted
 * when it touches a space anywhere in the answer, or when the answer holds a digit-comma-digit, and otherwise
 * replaced by a space; contraction keys with capitals ("Im") never match lower-cased words. {@code \d} is any
 * Unicode decimal digit, as in Python 3; the {@code Py2} variants are vqaEval.py under its own runtime, Python 2
 * ({@link Py2Text}: ASCII {@code \d}, Python 2's {@code lower}, whitespace of Unicode 5.2).
 */
public final class VqaAnswers {

    /** {@code self.contractions}: 120 entries, identical in both sources. */
    static final Map<String, String> CONTRACTIONS = pairs(
            "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've", "couldnt", "couldn't",
            "couldn'tve", "couldn't've", "couldnt've", "couldn't've", "didnt", "didn't", "doesnt", "doesn't",
            "dont", "don't", "hadnt", "hadn't", "hadnt've", "hadn't've", "hadn'tve", "hadn't've", "hasnt", "hasn't",
            "havent", "haven't", "hed", "he'd", "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's",
            "howd", "how'd", "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've", "Im", "I'm",
            "Ive", "I've", "isnt", "isn't", "itd", "it'd", "itd've", "it'd've", "it'dve", "it'd've", "itll", "it'll",
            "let's", "let's", "maam", "ma'am", "mightnt", "mightn't", "mightnt've", "mightn't've",
            "mightn'tve", "mightn't've", "mightve", "might've", "mustnt", "mustn't", "mustve", "must've",
            "neednt", "needn't", "notve", "not've", "oclock", "o'clock", "oughtnt", "oughtn't", "ow's'at", "'ow's'at",
            "'ows'at", "'ow's'at", "'ow'sat", "'ow's'at", "shant", "shan't", "shed've", "she'd've",
            "she'dve", "she'd've", "she's", "she's", "shouldve", "should've", "shouldnt", "shouldn't",
            "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've", "somebody'd", "somebodyd",
            "somebodyd've", "somebody'd've", "somebody'dve", "somebody'd've", "somebodyll", "somebody'll",
            "somebodys", "somebody's", "someoned", "someone'd", "someoned've", "someone'd've",
            "someone'dve", "someone'd've", "someonell", "someone'll", "someones", "someone's",
            "somethingd", "something'd", "somethingd've", "something'd've", "something'dve", "something'd've",
            "somethingll", "something'll", "thats", "that's", "thered", "there'd", "thered've", "there'd've",
            "there'dve", "there'd've", "therere", "there're", "theres", "there's", "theyd", "they'd",
            "theyd've", "they'd've", "they'dve", "they'd've", "theyll", "they'll", "theyre", "they're",
            "theyve", "they've", "twas", "'twas", "wasnt", "wasn't", "wed've", "we'd've", "we'dve", "we'd've",
            "weve", "we've", "werent", "weren't", "whatll", "what'll", "whatre", "what're", "whats", "what's",
            "whatve", "what've", "whens", "when's", "whered", "where'd", "wheres", "where's", "whereve", "where've",
            "whod", "who'd", "whod've", "who'd've", "who'dve", "who'd've", "wholl", "who'll", "whos", "who's",
            "whove", "who've", "whyll", "why'll", "whyre", "why're", "whys", "why's", "wont", "won't",
            "wouldve", "would've", "wouldnt", "wouldn't", "wouldnt've", "wouldn't've", "wouldn'tve", "wouldn't've",
            "yall", "y'all", "yall'll", "y'all'll", "y'allll", "y'all'll", "yall'd've", "y'all'd've",
            "y'alld've", "y'all'd've", "y'all'dve", "y'all'd've", "youd", "you'd", "youd've", "you'd've",
            "you'dve", "you'd've", "youll", "you'll", "youre", "you're", "youve", "you've");

    /** {@code self.manualMap}. */
    static final Map<String, String> NUMBERS = pairs("none", "0", "zero", "0", "one", "1", "two", "2", "three", "3",
            "four", "4", "five", "5", "six", "6", "seven", "7", "eight", "8", "nine", "9", "ten", "10");

    static final List<String> ARTICLES = List.of("a", "an", "the");

    /** {@code self.punct}, in its order (the order matters: each mark is tested against the original text). */
    static final List<String> PUNCTUATION = List.of(";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\",
            "_", "-", ">", "<", "@", "`", ",", "?", "!");

    /** vqaEval.py {@code commaStrip}. */
    static final Pattern COMMA_STRIP_VQA = Pattern.compile("(?U)(\\d)(\\,)(\\d)");
    /** EvalAI {@code COMMA_STRIP}. */
    static final Pattern COMMA_STRIP_EVALAI = Pattern.compile("(?U)(?<=\\d)(\\,)+(?=\\d)");
    /** {@code periodStrip}, as written in both sources. */
    static final Pattern PERIOD_STRIP = Pattern.compile("(?U)(?!<=\\d)(\\.)(?!\\d)");
    /** vqaEval.py {@code commaStrip} under Python 2: without {@code re.UNICODE}, {@code \d} is {@code [0-9]}. */
    static final Pattern COMMA_STRIP_VQA_PY2 = Pattern.compile("(\\d)(\\,)(\\d)");
    /** vqaEval.py {@code periodStrip} under Python 2 ({@code \d} is {@code [0-9]}). */
    static final Pattern PERIOD_STRIP_PY2 = Pattern.compile("(?!<=\\d)(\\.)(?!\\d)");
    /** The count that {@code periodStrip.sub("", text, re.UNICODE)} passes by accident: {@code re.UNICODE == 32}. */
    static final int PERIOD_STRIP_COUNT = 32;

    private VqaAnswers() {}

    /**
     * {@code processPunctuation}: each mark of {@link #PUNCTUATION} is deleted when it stands next to a space in the
     * original text (or the text matches {@code commaStrip}), else replaced by a space; then periods not followed
     * by a digit are deleted (at most 32).
     *
     * @param commaStrip {@link #COMMA_STRIP_VQA} or {@link #COMMA_STRIP_EVALAI}
     */
    static String processPunctuation(String inText, Pattern commaStrip) {
        return processPunctuation(inText, commaStrip, PERIOD_STRIP);
    }

    private static String processPunctuation(String inText, Pattern commaStrip, Pattern periodStrip) {
        String out = inText;
        boolean digitComma = commaStrip.matcher(inText).find();
        for (String p : PUNCTUATION) {
            if (inText.contains(p + " ") || inText.contains(" " + p) || digitComma) {
                out = out.replace(p, "");
            } else {
                out = out.replace(p, " ");
            }
        }
        Matcher m = periodStrip.matcher(out);
        StringBuilder sb = new StringBuilder();
        int replaced = 0;
        while (replaced < PERIOD_STRIP_COUNT && m.find()) {
            m.appendReplacement(sb, "");
            replaced++;
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** {@code processPunctuation} with vqaEval.py's comma pattern. */
    public static String processPunctuation(String inText) {
        return processPunctuation(inText, COMMA_STRIP_VQA);
    }

    /**
     * {@code processPunctuation} as vqaEval.py runs under Python 2: {@code \\d} in its two patterns is ASCII only,
     * so a period before an Arabic-Indic digit is deleted and "٣,٥" is no digit-comma-digit.
     */
    public static String processPunctuationPy2(String inText) {
        return processPunctuation(inText, COMMA_STRIP_VQA_PY2, PERIOD_STRIP_PY2);
    }

    /**
     * {@code processDigitArticle}: lower-case, split on whitespace, number words zero to ten (and "none") to digits,
     * articles a/an/the dropped, contractions restored ("dont" to "don't"), words joined by single spaces.
     */
    public static String processDigitArticle(String inText) {
        return digitArticle(PyText.split(PyText.lower(inText)));
    }

    /** {@code processDigitArticle} under Python 2: {@link Py2Text#lower} and {@link Py2Text#split}. */
    public static String processDigitArticlePy2(String inText) {
        return digitArticle(Py2Text.split(Py2Text.lower(inText)));
    }

    private static String digitArticle(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String word : words) {
            String w = NUMBERS.getOrDefault(word, word);
            if (!ARTICLES.contains(w)) {
                out.add(w);
            }
        }
        out.replaceAll(w -> CONTRACTIONS.getOrDefault(w, w));
        return String.join(" ", out);
    }

    /**
     * The EvalAI answer processor ({@code EvalAIAnswerProcessor.__call__}): {@code word_tokenize} (lower-case, drop
     * {@code ,} and {@code ?}, {@code 's} to {@code  's}, strip), newlines and tabs to spaces, strip, then
     * {@code process_punctuation} and {@code process_digit_article}.
     */
    public static String evalAi(String answer) {
        String t = PyText.lower(answer).replace(",", "").replace("?", "").replace("'s", " 's");
        t = PyText.strip(PyText.strip(t).replace('\n', ' ').replace('\t', ' '));
        return processDigitArticle(processPunctuation(t, COMMA_STRIP_EVALAI));
    }

    /** vqaEval.py's first step for every answer: newlines and tabs to spaces, then strip. */
    static String vqaEvalStrip(String answer) {
        return PyText.strip(answer.replace('\n', ' ').replace('\t', ' '));
    }

    /** {@link #vqaEvalStrip} under Python 2 ({@link Py2Text#strip}). */
    static String vqaEvalStripPy2(String answer) {
        return Py2Text.strip(answer.replace('\n', ' ').replace('\t', ' '));
    }

    private static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Map.copyOf(m);
    }
}
