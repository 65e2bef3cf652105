package org.infllava.eval.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.infllava.eval.MultipleChoice;

/**
 * SEED-Bench's JSON: {@code {"questions": [{question_id, question, choice_a..choice_d, answer (A-D), data_type,
 * question_type_id, data_id}], "question_type": {name: id}}}. Only {@code data_type == "image"} questions are kept;
 * video questions are counted as skipped. Image files are {@code <imageRoot>/<data_id>} (not opened here).
 *
 * @param questions the image questions, in file order
 * @param report what reading found; entries are named "question ID" (or "questions[i]" without an id)
 */
public record SeedBenchFile(List<Question> questions, LoadReport report) {

    private static final String[] CHOICES = {"choice_a", "choice_b", "choice_c", "choice_d"};

    /**
     * One image question.
     *
     * @param id {@code question_id}
     * @param question the question
     * @param choices the four options, A to D
     * @param answer index of the right option
     * @param questionType the type's name from the file's {@code question_type} table, else its id
     * @param image the image file
     */
    public record Question(String id, String question, List<String> choices, int answer, String questionType,
            Path image) {

        public Question {
            choices = List.copyOf(choices);
        }

        /** The scorer's view, grouped by {@code question_type}. */
        public MultipleChoice.Item toItem() {
            return new MultipleChoice.Item(id, choices, answer, Map.of("question_type", questionType));
        }
    }

    public SeedBenchFile {
        questions = List.copyOf(questions);
    }

    /** Reads {@code json}; images resolve against {@code imageRoot}. */
    public static SeedBenchFile read(Path json, Path imageRoot, LoadOptions options) {
        JsonObject root = Json.object(json);
        if (!root.has("questions") || !root.get("questions").isJsonArray()) {
            throw new org.infllava.io.InvalidInputException(json, "no \"questions\" list at the top level");
        }
        Map<String, String> typeNames = new HashMap<>();
        if (root.has("question_type") && root.get("question_type").isJsonObject()) {
            root.getAsJsonObject("question_type").entrySet().forEach(e -> {
                if (e.getValue().isJsonPrimitive()) {
                    typeNames.put(e.getValue().getAsString(), e.getKey());
                }
            });
        }
        RowLog log = new RowLog(json, options);
        List<Question> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonElement e : root.getAsJsonArray("questions")) {
            log.row();
            String where = "questions[" + i++ + "]";
            try {
                if (!e.isJsonObject()) {
                    throw new BadRow("not a JSON object");
                }
                JsonObject o = e.getAsJsonObject();
                String id = Json.text(o, "question_id");
                where = "question " + id;
                String type = Json.text(o, "data_type");
                if (!type.equals("image")) {
                    log.skipped("not an image question");
                    continue;
                }
                List<String> choices = new ArrayList<>();
                for (String c : CHOICES) {
                    choices.add(Json.text(o, c));
                }
                String answer = Json.text(o, "answer").strip();
                if (!answer.matches("[A-D]")) {
                    throw new BadRow("answer is not A-D", "'" + answer + "'");
                }
                String typeId = Json.text(o, "question_type_id");
                String dataId = Json.text(o, "data_id");
                if (!ids.add(id)) {
                    throw new BadRow("duplicate question_id", id);
                }
                out.add(new Question(id, Json.text(o, "question"), choices, answer.charAt(0) - 'A',
                        typeNames.getOrDefault(typeId, typeId), Json.path(imageRoot, dataId)));
                log.kept();
            } catch (BadRow b) {
                log.malformed(where, b);
            }
        }
        return new SeedBenchFile(out, log.report());
    }

    /** The scorer's items. */
    public List<MultipleChoice.Item> items() {
        return questions.stream().map(Question::toItem).toList();
    }
}
