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

    /** The soft accuracy of one prediction against the human answers, under {@code rules}. */
    public static double score(String prediction, List<String> humanAnswers, Rules rules) {
        List<String> gts = new ArrayList<>(humanAnswers.size());
        String res;
        if (rules == Rules.EVALAI) {
            humanAnswers.forEach(a -> gts.add(VqaAnswers.evalAi(a)));
            res = VqaAnswers.evalAi(prediction);
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
        Tally tally = new Tally(predictions);
        for (Item it : items) {
            String p = tally.answer(it.id());
            tally.add(it.groups(), p == null ? 0 : score(p, it.answers(), rules));
        }
        return tally.report(Map.of());
    }
}
