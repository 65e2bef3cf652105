package org.infllava.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * VQA soft accuracy (OK-VQA, TextVQA, VQAv2): against the human answers {@code g_1..g_n} (ten in these benchmarks),
 * {@code acc = (1/n) Σ_i min(1, #{j ≠ i : g_j = a} / 3)}, the mean over the n leave-one-out subsets of "the answer
 * agrees with at least three of the other annotators".
 *
 * <p>Two sets of rules decide what "agrees" means ({@link Rules}); both compare normalised strings exactly.
 * Questions without a prediction score 0 (counted wrong); predictions naming unknown questions are reported, not
 * scored.
 */
public final class VqaAccuracy {

    /** Which official implementation the answers are normalised by. */
    public enum Rules {
        /**
         * The EvalAI answer processor of the VQA and TextVQA servers, also in LLaVA's {@code m4c_evaluator.py}: the
         * prediction and every human answer go through {@link VqaAnswers#evalAi}.
         */
        EVALAI,
        /**
         * GT-Vision-Lab {@code vqaEval.py} (master): answers are stripped; only when the human answers are not all
         * equal are the prediction and the human answers normalised ({@link VqaAnswers#processPunctuation} then
         * {@link VqaAnswers#processDigitArticle}); with unanimous humans the raw prediction must match exactly.
         */
        VQA_EVAL
    }

    /**
     * One question.
     *
     * @param id question id
     * @param answers the human answers (at least one)
     * @param groups grouping name to this question's group ({@code answer_type} to {@code number}); may be empty
     */
    public record Item(String id, List<String> answers, Map<String, String> groups) {
        public Item {
            answers = List.copyOf(answers);
            groups = Map.copyOf(groups);
            if (answers.isEmpty()) {
                throw new IllegalArgumentException("question " + id + " has no human answers");
            }
        }
    }

    private VqaAccuracy() {}

    /** The soft accuracy of one prediction against the human answers, under {@code rules}, read as Python 3 does. */
    public static double score(String prediction, List<String> humanAnswers, Rules rules) {
        return score(prediction, humanAnswers, rules, Reading.LENIENT);
    }

    /**
     * The soft accuracy of one prediction against the human answers, under {@code rules}. With {@link Rules#VQA_EVAL}
     * and {@link Reading#OFFICIAL} the strings are handled as {@code vqaEval.py}'s own runtime, Python 2, handles
     * them ({@link Py2Text}: ASCII {@code \d}, Python 2's {@code lower()} and whitespace); otherwise as Python 3
     * ({@code m4c_evaluator.py}, the EvalAI processor, runs under Python 3 in both readings).
     */
    public static double score(String prediction, List<String> humanAnswers, Rules rules, Reading reading) {
        List<String> gts = new ArrayList<>(humanAnswers.size());
        String res;
        if (rules == Rules.EVALAI) {
            humanAnswers.forEach(a -> gts.add(VqaAnswers.evalAi(a)));
            res = VqaAnswers.evalAi(prediction);
        } else if (reading == Reading.OFFICIAL) {
            humanAnswers.forEach(a -> gts.add(VqaAnswers.vqaEvalStripPy2(a)));
            res = VqaAnswers.vqaEvalStripPy2(prediction);
            if (gts.stream().distinct().count() > 1) {
                gts.replaceAll(a -> VqaAnswers.processDigitArticlePy2(VqaAnswers.processPunctuationPy2(a)));
                res = VqaAnswers.processDigitArticlePy2(VqaAnswers.processPunctuationPy2(res));
            }
        } else {
            humanAnswers.forEach(a -> gts.add(VqaAnswers.vqaEvalStrip(a)));
            res = VqaAnswers.vqaEvalStrip(prediction);
            if (gts.stream().distinct().count() > 1) {
                gts.replaceAll(a -> VqaAnswers.processDigitArticle(VqaAnswers.processPunctuation(a)));
                res = VqaAnswers.processDigitArticle(VqaAnswers.processPunctuation(res));
            }
        }
        return leaveOneOut(res, gts);
    }

    /** {@code (1/n) Σ_i min(1, #{j ≠ i : g_j = a} / 3)} on already normalised strings. */
    static double leaveOneOut(String answer, List<String> gts) {
        int matches = 0;
        for (String g : gts) {
            if (g.equals(answer)) {
                matches++;
            }
        }
        double sum = 0;
        for (String g : gts) {
            int others = matches - (g.equals(answer) ? 1 : 0);
            sum += Math.min(1.0, others / 3.0);
        }
        return sum / gts.size();
    }

    /**
     * Scores every question: accuracy is the mean soft accuracy over all of {@code items}, unanswered ones
     * scoring 0; categories follow each item's groups.
     *
     * @param predictions question id to the model's answer
     */
    public static ScoreReport evaluate(List<Item> items, Map<String, String> predictions, Rules rules) {
        return evaluate(items, predictions, rules, Reading.LENIENT);
    }

    /**
     * Scores every question as {@link #evaluate(List, Map, Rules)} does, with the strings read as {@code reading}
     * says ({@link #score(String, List, Rules, Reading)}). {@code vqaEval.py} itself refuses a result file that
     * lacks a question; here such questions score 0 and are listed.
     */
    public static ScoreReport evaluate(List<Item> items, Map<String, String> predictions, Rules rules,
            Reading reading) {
        Tally tally = new Tally(predictions);
        for (Item it : items) {
            String p = tally.answer(it.id());
            tally.add(it.groups(), p == null ? 0 : score(p, it.answers(), rules, reading));
        }
        return tally.report(Map.of());
    }

    /**
     * LLaVA's {@code eval_textvqa.py}: the mean over the answer file's rows, each row scored against the question it
     * names ({@code m4c_evaluator.py}, EvalAI rules), so a question answered twice counts twice and a question not
     * answered does not count at all (it is listed as unanswered). Rows naming no question are listed as unknown and
     * not scored (the script stops with a {@code KeyError}).
     *
     * @param rows the answer rows in file order: question id (as paired with the data) and answer text
     */
    public static ScoreReport evaluateRows(List<Item> items, List<Map.Entry<String, String>> rows) {
        Map<String, Item> byId = new java.util.LinkedHashMap<>();
        items.forEach(it -> byId.put(it.id(), it));
        Map<String, String> predictions = new java.util.LinkedHashMap<>();
        rows.forEach(r -> predictions.putIfAbsent(r.getKey(), r.getValue()));
        Tally tally = new Tally(predictions);
        for (Item it : items) {
            tally.asked(it.id(), predictions.containsKey(it.id()));
        }
        for (Map.Entry<String, String> r : rows) {
            Item it = byId.get(r.getKey());
            if (it != null) {
                tally.add(it.groups(), score(r.getValue(), it.answers(), Rules.EVALAI, Reading.OFFICIAL));
            }
        }
        return tally.report(Map.of());
    }
}
