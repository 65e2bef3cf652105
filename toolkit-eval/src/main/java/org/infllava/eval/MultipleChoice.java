package org.infllava.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Multiple-choice accuracy (ScienceQA-img, SEED-Bench, AI2D, MMMU, MMBench): the option a free-text answer names
 * ({@link #extract}) against the right one, and MMBench's CircularEval ({@link #evaluateCircular}).
 *
 * <p>Unanswered questions and answers that name no option count as wrong; both are listed in the report.
 */
public final class MultipleChoice {

    /**
     * One question.
     *
     * @param id question id (for MMBench, the row's {@code index})
     * @param options the option texts, lettered A, B, … in this order
     * @param answer index of the right option
     * @param groups grouping to group ({@code category} to {@code attribute_recognition}); may be empty
     */
    public record Item(String id, List<String> options, int answer, Map<String, String> groups) {
        public Item {
            options = List.copyOf(options);
            groups = Map.copyOf(groups);
            if (options.isEmpty() || options.size() > 26 || answer < 0 || answer >= options.size()) {
                throw new IllegalArgumentException("question " + id + ": answer " + answer + " of " + options.size()
                        + " options (need 1..26 options and an answer among them)");
            }
        }
    }

    /**
     * What an answer names.
     *
     * @param option index of the option named, or -1 when none could be read
     * @param rule the rule that read it ({@code letter}, {@code letter prefix}, {@code answer phrase},
     *     {@code option text}), or why none did
     */
    public record Extraction(int option, String rule) {
        /** Whether an option was read. */
        public boolean parsed() {
            return option >= 0;
        }
    }

    /** "B", "b", "(B)", "[B]", "B.", "B)", "B:" and nothing else. */
    private static final Pattern LONE_LETTER = Pattern.compile("^[(\\[]?([A-Za-z])[)\\]]?[.:)]?$");
    /** "B. text", "(B) text", "B) text", "B: text", "[B] text": a capital letter, a separator, then text. */
    private static final Pattern LETTER_PREFIX = Pattern.compile("^(?:\\(([A-Z])\\)|\\[([A-Z])]|([A-Z])[.:)])\\s");
    /** "The answer is B", "Answer: (C)", "the correct option is A." */
    private static final Pattern ANSWER_PHRASE = Pattern.compile(
            "(?i:answer|option|choice)(?:\\s+(?i:is))?\\s*:?\\s*[(\\[]?([A-Z])(?![A-Za-z0-9])");

    /**
     * {@code eval_science_qa.py}'s pattern {@code The answer is ([A-Z]).}: case-sensitive, and its {@code .} is any
     * character but {@code \n} (Python's {@code .}; UNIX_LINES makes Java's the same), so "The answer is CA." reads
     * C and "The answer is B" at the very end reads nothing.
     */
    private static final Pattern SQA_ANSWER_IS = Pattern.compile("The answer is ([A-Z]).", Pattern.UNIX_LINES);
    /** {@code eval_science_qa.py}'s {@code --options} default: only these five letters can be read. */
    static final List<String> SQA_OPTIONS = List.of("A", "B", "C", "D", "E");

    private MultipleChoice() {}

    /** "A" for 0, "B" for 1, …. */
    public static String letter(int option) {
        return String.valueOf((char) ('A' + option));
    }

    /**
     * Reads the option an answer names, trying in turn: the answer is a lone letter ("B", "(B)", "B."); it starts
     * with a capital letter and a separator ("B. a cat", "(B) a cat"); it holds one distinct letter after "answer",
     * "option" or "choice" ("The answer is B."); it equals one option's text, ignoring case, surrounding space and a
     * final period. A letter beyond the options, or several different letters after "answer", reads as nothing.
     */
    public static Extraction extract(String answer, List<String> options) {
        String t = answer.strip();
        if (t.isEmpty()) {
            return new Extraction(-1, "empty answer");
        }
        Matcher m = LONE_LETTER.matcher(t);
        if (m.matches()) {
            return byLetter(m.group(1).toUpperCase(Locale.ROOT).charAt(0), options.size(), "letter");
        }
        m = LETTER_PREFIX.matcher(t);
        if (m.find()) {
            String g = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            return byLetter(g.charAt(0), options.size(), "letter prefix");
        }
        m = ANSWER_PHRASE.matcher(t);
        Set<Character> letters = new LinkedHashSet<>();
        while (m.find()) {
            letters.add(m.group(1).charAt(0));
        }
        if (letters.size() == 1) {
            return byLetter(letters.iterator().next(), options.size(), "answer phrase");
        }
        if (letters.size() > 1) {
            return new Extraction(-1, "several letters after 'answer': " + letters);
        }
        String norm = normaliseText(t);
        int found = -1;
        for (int i = 0; i < options.size(); i++) {
            if (normaliseText(options.get(i)).equals(norm)) {
                if (found >= 0) {
                    return new Extraction(-1, "equals the text of two options");
                }
                found = i;
            }
        }
        return found >= 0 ? new Extraction(found, "option text") : new Extraction(-1, "names no option");
    }

    /**
     * LLaVA's {@code eval_science_qa.py} reading, exactly: the answer is one of the letters A-E as it stands (no
     * strip, no case folding); else it starts with A-E followed by ". "; else the pattern
     * {@code The answer is ([A-Z]).} ({@link #SQA_ANSWER_IS}) matches exactly once and its letter is read; else
     * nothing ({@code FAILED}). A letter beyond the question's options, or beyond E, names no option.
     */
    public static Extraction extractScienceQa(String answer, int optionCount) {
        String letter;
        String rule;
        if (SQA_OPTIONS.contains(answer)) {
            letter = answer;
            rule = "letter";
        } else if (answer.length() >= 3 && SQA_OPTIONS.contains(answer.substring(0, 1))
                && answer.startsWith(". ", 1)) {
            letter = answer.substring(0, 1);
            rule = "letter prefix";
        } else {
            Matcher m = SQA_ANSWER_IS.matcher(answer);
            List<String> found = new ArrayList<>();
            while (m.find()) {
                found.add(m.group(1));
            }
            if (found.size() != 1) {
                return new Extraction(-1, found.isEmpty() ? "FAILED: no 'The answer is X.'"
                        : "FAILED: 'The answer is X.' " + found.size() + " times");
            }
            letter = found.get(0);
            rule = "answer phrase";
        }
        int i = SQA_OPTIONS.indexOf(letter);
        return i >= 0 && i < optionCount ? new Extraction(i, rule)
                : new Extraction(-1, "letter " + letter + " beyond " + Math.min(optionCount, SQA_OPTIONS.size())
                        + " options");
    }

    /**
     * ScienceQA as LLaVA's {@code eval_science_qa.py} scores it ({@link #extractScienceQa}). Its IMG-Accuracy, the
     * number reported, counts only answered image questions (a missing answer gets the prompt "Unknown", which lacks
     * {@code <image>}, so it leaves the image denominator): {@code accuracy} is over the answered questions and
     * {@code questions} is their count. {@code accuracy_missing_wrong} is the same with every unanswered question
     * counted wrong, over all questions. Categories use the answered questions, like the headline.
     */
    public static ScoreReport evaluateScienceQa(List<Item> items, Map<String, String> predictions) {
        Tally answered = new Tally(predictions);
        int correct = 0;
        for (Item it : items) {
            String p = predictions.get(it.id());
            answered.asked(it.id(), p != null);
            if (p == null) {
                continue;
            }
            Extraction e = extractScienceQa(p, it.options().size());
            if (!e.parsed()) {
                answered.unparsed(it.id());
            }
            boolean ok = e.option() == it.answer();
            correct += ok ? 1 : 0;
            answered.add(it.groups(), ok ? 1 : 0);
        }
        return answered.report(Map.of("accuracy_missing_wrong", items.isEmpty() ? 0 : (double) correct
                / items.size()));
    }

    /**
     * SEED-Bench as LLaVA's {@code convert_seed_for_submission.py} scores it: right when the answer text equals the
     * right letter exactly ({@code "A"}; {@code "A."}, {@code " A"} and {@code "a"} are wrong); unanswered questions
     * count as wrong. Answers that are not a bare option letter are listed as unparsed.
     */
    public static ScoreReport evaluateExactLetter(List<Item> items, Map<String, String> predictions) {
        Tally tally = new Tally(predictions);
        for (Item it : items) {
            String p = tally.answer(it.id());
            if (p == null) {
                tally.add(it.groups(), 0);
                continue;
            }
            int i = p.length() == 1 ? p.charAt(0) - 'A' : -1;
            if (i < 0 || i >= it.options().size()) {
                tally.unparsed(it.id());
            }
            tally.add(it.groups(), p.equals(letter(it.answer())) ? 1 : 0);
        }
        return tally.report(Map.of());
    }

    private static Extraction byLetter(char c, int optionCount, String rule) {
        int i = c - 'A';
        return i < optionCount ? new Extraction(i, rule)
                : new Extraction(-1, "letter " + c + " beyond " + optionCount + " options");
    }

    private static String normaliseText(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return t.endsWith(".") ? t.substring(0, t.length() - 1).strip() : t;
    }

    /** Each item scored on its own: 1 when the answer names the right option. */
    public static ScoreReport evaluate(List<Item> items, Map<String, String> predictions) {
        Tally tally = new Tally(predictions);
        for (Item it : items) {
            tally.add(it.groups(), right(it, tally) ? 1 : 0);
        }
        return tally.report(Map.of());
    }

    /**
     * CircularEval (MMBench): items that {@code questionOf} maps to the same key are rotations of one question, and
     * the question counts as right only when every rotation is answered right. Accuracy and categories are per
     * question (categories from its first rotation); {@code row_accuracy} is the plain per-row accuracy.
     */
    public static ScoreReport evaluateCircular(List<Item> items, Function<Item, String> questionOf,
            Map<String, String> predictions) {
        Tally rows = new Tally(predictions);
        Map<String, List<Item>> questions = new LinkedHashMap<>();
        Map<String, Boolean> allRight = new LinkedHashMap<>();
        for (Item it : items) {
            boolean ok = right(it, rows);
            rows.add(Map.of(), ok ? 1 : 0);
            String q = questionOf.apply(it);
            questions.computeIfAbsent(q, k -> new ArrayList<>()).add(it);
            allRight.merge(q, ok, Boolean::logicalAnd);
        }
        Tally circular = new Tally(Map.of());
        questions.forEach((q, its) -> circular.add(its.get(0).groups(), allRight.get(q) ? 1 : 0));
        ScoreReport r = rows.report(Map.of());
        return new ScoreReport(circular.units(), circular.accuracy(), Map.of("row_accuracy", rows.accuracy()),
                circular.categories(), r.unanswered(), r.unknownPredictions(), r.unparsed());
    }

    private static boolean right(Item it, Tally tally) {
        String p = tally.answer(it.id());
        if (p == null) {
            return false;
        }
        Extraction e = extract(p, it.options());
        if (!e.parsed()) {
            tally.unparsed(it.id());
        }
        return e.option() == it.answer();
    }
}
