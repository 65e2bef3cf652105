package org.infllava.eval.bench;

import com.google.gson.JsonElement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.infllava.eval.MultipleChoice;

/**
 * A generic multiple-choice question file for benchmarks without a file format of their own here (AI2D, MMMU, as
 * exported from their Hugging Face datasets): JSONL rows
 * {@code {question_id, image, question, options: [..], answer: "B" | 1, hint?, category?}}. {@code answer} is the
 * right option's letter or 0-based index. Rows whose {@code image} is a list (MMMU's several-image questions) and rows
 * without options (open questions) are skipped and counted by reason; the rest of a bad row is malformed by reason.
 *
 * @param questions the questions in file order
 * @param report what reading found
 */
public record MultipleChoiceFile(List<Question> questions, LoadReport report) {

    /**
     * One question.
     *
     * @param id {@code question_id}
     * @param image the image file, resolved against the image folder
     * @param question the question
     * @param hint context shown before the question, or empty
     * @param options the option texts, A, B, …
     * @param answer index of the right option
     * @param category {@code category} (or {@code subject}), or {@code null}
     */
    public record Question(String id, Path image, String question, String hint, List<String> options, int answer,
            String category) {

        public Question {
            options = List.copyOf(options);
        }

        /** The scorer's view, grouped by {@code category} when present. */
        public MultipleChoice.Item toItem() {
            return new MultipleChoice.Item(id, options, answer, category == null ? Map.of()
                    : Map.of("category", category));
        }
    }

    public MultipleChoiceFile {
        questions = List.copyOf(questions);
    }

    /** Reads {@code file}; images resolve against {@code imageRoot}. */
    public static MultipleChoiceFile read(Path file, Path imageRoot, LoadOptions options) {
        RowLog log = new RowLog(file, options);
        List<Question> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Json.eachLine(log, (line, o) -> {
            String id = Json.text(o, "question_id");
            JsonElement img = o.get("image");
            if (img != null && img.isJsonArray()) {
                log.skipped("several images");
                return;
            }
            if (!o.has("options") || o.get("options").isJsonNull()
                    || o.get("options").isJsonArray() && o.getAsJsonArray("options").isEmpty()) {
                log.skipped("no options (open question)");
                return;
            }
            List<String> opts = new ArrayList<>();
            for (JsonElement e : Json.array(o, "options")) {
                if (!e.isJsonPrimitive()) {
                    throw new BadRow("an option is not a string", id);
                }
                opts.add(e.getAsString());
            }
            if (opts.size() < 2 || opts.size() > 26) {
                throw new BadRow("not 2 to 26 options", opts.size() + " options");
            }
            int answer = answerIndex(Json.text(o, "answer"), opts.size());
            String category = Json.optText(o, "category");
            if (category == null) {
                category = Json.optText(o, "subject");
            }
            String hint = Json.optText(o, "hint");
            if (!ids.add(id)) {
                throw new BadRow("duplicate question_id", id);
            }
            out.add(new Question(id, Json.path(imageRoot, Json.text(o, "image")), Json.text(o, "question"),
                    hint == null ? "" : hint, opts, answer, category));
            log.kept();
        });
        return new MultipleChoiceFile(out, log.report());
    }

    /** A letter ({@code B}) or a 0-based index ({@code 1}) of one of {@code n} options. */
    static int answerIndex(String answer, int n) throws BadRow {
        String a = answer.strip().toUpperCase(Locale.ROOT);
        int i;
        if (a.length() == 1 && a.charAt(0) >= 'A' && a.charAt(0) <= 'Z') {
            i = a.charAt(0) - 'A';
        } else {
            try {
                i = Integer.parseInt(a);
            } catch (NumberFormatException e) {
                throw new BadRow("answer is not a letter or an index", "'" + answer + "'");
            }
        }
        if (i < 0 || i >= n) {
            throw new BadRow("answer out of range", "'" + answer + "' of " + n + " options");
        }
        return i;
    }

    /** The scorer's items. */
    public List<MultipleChoice.Item> items() {
        return questions.stream().map(Question::toItem).toList();
    }
}
