package org.infllava.eval.bench;

import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.infllava.io.InvalidInputException;

/**
 * How the rows of an answer file are paired with VQA questions. By {@code question_id} when any row's id is a
 * question id; otherwise as LLaVA's {@code eval_textvqa.py} pairs LLaVA's own TextVQA answer file: the row's
 * {@code question_id} is the image id and its {@code prompt} gives the question ({@link #promptQuestion}), and the
 * pair is looked up among {@code (image_id, question.lower())} of the annotations (a repeated pair keeps its last
 * question). A file that pairs with nothing either way is an error.
 *
 * @param name {@code question_id} or {@code image_id+question}
 * @param rows the answer rows in file order, keyed by the question id they pair with (unpaired rows keep a key that
 *     names no question: their id, and the question read from the prompt)
 */
public record VqaPairing(String name, List<Map.Entry<String, String>> rows) {

    private static final Pattern OCR_QUESTION = Pattern.compile("Question: (.*?) Short answer:", Pattern.DOTALL);

    public VqaPairing {
        rows = List.copyOf(rows);
    }

    /** Pairs {@code answers} with {@code questions}; {@code annotations} names the data in the error. */
    public static VqaPairing of(List<VqaFiles.Question> questions, AnswerRows answers, Path annotations) {
        Set<String> ids = new HashSet<>();
        questions.forEach(q -> ids.add(q.id()));
        List<Map.Entry<String, String>> byId = new ArrayList<>();
        boolean anyId = false;
        for (AnswerRows.Row r : answers.rows()) {
            anyId |= ids.contains(r.id());
            byId.add(new AbstractMap.SimpleImmutableEntry<>(r.id(), r.text()));
        }
        if (anyId) {
            return new VqaPairing("question_id", byId);
        }
        Map<String, String> byImageQuestion = new HashMap<>();
        for (VqaFiles.Question q : questions) {
            if (q.imageId() != null && q.question() != null) {
                byImageQuestion.put(q.imageId() + "\u0000" + q.question().toLowerCase(Locale.ROOT), q.id());
            }
        }
        List<Map.Entry<String, String>> paired = new ArrayList<>();
        boolean any = false;
        for (AnswerRows.Row r : answers.rows()) {
            String question = r.prompt() == null ? null : promptQuestion(r.prompt());
            String id = question == null ? null : byImageQuestion.get(r.id() + "\u0000" + question);
            any |= id != null;
            paired.add(new AbstractMap.SimpleImmutableEntry<>(id != null ? id
                    : r.id() + " / " + (question == null ? "(no question in the prompt)" : question), r.text()));
        }
        if (!any) {
            throw new InvalidInputException(answers.report().file(), "no answer pairs with a question of "
                    + annotations + ": no question_id is one of its question ids, and no (question_id as image_id, "
                    + "question from the prompt) is one of its (image_id, question) pairs, as eval_textvqa.py pairs "
                    + "LLaVA's TextVQA answers");
        }
        return new VqaPairing("image_id+question", paired);
    }

    /**
     * The question {@code eval_textvqa.py}'s {@code prompt_processor} reads from a prompt, lower-cased: after
     * "Question: " up to " Short answer:" when the prompt starts with "OCR tokens: "; the line that is not the OCR
     * line of a three-line prompt holding "Reference OCR token: " (its second line when it starts with that, else its
     * first); the first line of a two-line prompt; otherwise none ({@code null}; the script stops there).
     */
    public static String promptQuestion(String prompt) {
        String[] lines = prompt.split("\n", -1);
        String q;
        if (prompt.startsWith("OCR tokens: ")) {
            Matcher m = OCR_QUESTION.matcher(prompt);
            if (!m.find()) {
                return null;
            }
            q = m.group(1);
        } else if (prompt.contains("Reference OCR token: ") && lines.length == 3) {
            q = prompt.startsWith("Reference OCR token:") ? lines[1] : lines[0];
        } else if (lines.length == 2) {
            q = lines[0];
        } else {
            return null;
        }
        return q.toLowerCase(Locale.ROOT);
    }

    /** Question id → answer, the first row of a repeated id kept. */
    public Map<String, String> firstWins() {
        Map<String, String> m = new LinkedHashMap<>();
        rows.forEach(e -> m.putIfAbsent(e.getKey(), e.getValue()));
        return Collections.unmodifiableMap(m);
    }

    /** Question id → answer, the last row of a repeated id kept (a Python dictionary built from the rows). */
    public Map<String, String> lastWins() {
        Map<String, String> m = new LinkedHashMap<>();
        rows.forEach(e -> m.put(e.getKey(), e.getValue()));
        return Collections.unmodifiableMap(m);
    }
}
