package org.infllava.eval.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.eval.VqaAccuracy;
import org.infllava.io.InvalidInputException;

/**
 * Open-ended VQA data (OK-VQA, TextVQA, VQAv2) in the official VQA format: an annotation file
 * {@code {"annotations": [{question_id, answers: [{answer, ...}], answer_type?, question_type?}]}} and a question
 * file {@code {"questions": [{question_id, question, image_id}]}}. TextVQA's own file
 * ({@code {"data": [{question_id, question, image_id, answers: ["..."]}]}}) is accepted as the annotation file too.
 *
 * <p>With a question file, the questions are those it lists (one without an annotation is malformed, "no
 * annotation"; annotations for questions it lacks are skipped); without one, every annotation is a question.
 *
 * @param questions the questions, in question-file (else annotation-file) order
 * @param annotationsReport what reading the annotations found
 * @param questionsReport what reading the questions found, or {@code null} without a question file
 */
public record VqaFiles(List<Question> questions, LoadReport annotationsReport, LoadReport questionsReport) {

    /**
     * One question.
     *
     * @param id {@code question_id}
     * @param question the question text, or {@code null} without a question file or text
     * @param imageId {@code image_id}, or {@code null}
     * @param answers the human answers, raw
     * @param answerType {@code answer_type} (yes/no, number, other), or {@code null}
     * @param questionType {@code question_type}, or {@code null}
     */
    public record Question(String id, String question, String imageId, List<String> answers, String answerType,
            String questionType) {

        public Question {
            answers = List.copyOf(answers);
        }

        /** The scorer's view, grouped by {@code answer_type} and {@code question_type} where present. */
        public VqaAccuracy.Item toItem() {
            Map<String, String> groups = new LinkedHashMap<>();
            if (answerType != null) {
                groups.put("answer_type", answerType);
            }
            if (questionType != null) {
                groups.put("question_type", questionType);
            }
            return new VqaAccuracy.Item(id, answers, groups);
        }
    }

    public VqaFiles {
        questions = List.copyOf(questions);
    }

    /**
     * Reads the files.
     *
     * @param questionsJson the question file, or {@code null}
     * @param annotationsJson the annotation file
     */
    public static VqaFiles read(Path questionsJson, Path annotationsJson, LoadOptions options) {
        RowLog alog = new RowLog(annotationsJson, options);
        Map<String, Question> annotated = annotations(alog, questionsJson != null);
        if (questionsJson == null) {
            return new VqaFiles(new ArrayList<>(annotated.values()), alog.report(), null);
        }
        JsonArray qs = list(questionsJson, Json.object(questionsJson), "questions");
        RowLog qlog = new RowLog(questionsJson, options);
        List<Question> out = new ArrayList<>();
        Map<String, Boolean> listed = new LinkedHashMap<>();
        for (int i = 0; i < qs.size(); i++) {
            qlog.row();
            String where = "questions[" + i + "]";
            try {
                if (!qs.get(i).isJsonObject()) {
                    throw new BadRow("not a JSON object");
                }
                JsonObject o = qs.get(i).getAsJsonObject();
                String id = Json.text(o, "question_id");
                where = "question " + id;
                if (listed.put(id, true) != null) {
                    throw new BadRow("duplicate question_id", id);
                }
                Question a = annotated.get(id);
                if (a == null) {
                    throw new BadRow("no annotation");
                }
                out.add(new Question(id, Json.optText(o, "question"), a.imageId() != null ? a.imageId()
                        : Json.optText(o, "image_id"), a.answers(), a.answerType(), a.questionType()));
                qlog.kept();
            } catch (BadRow b) {
                qlog.malformed(where, b);
            }
        }
        annotated.keySet().stream().filter(id -> !listed.containsKey(id))
                .forEach(id -> alog.skipped("not in the question file"));
        return new VqaFiles(out, alog.report(), qlog.report());
    }

    private static Map<String, Question> annotations(RowLog log, boolean withQuestions) {
        Path file = log.file();
        JsonObject root = Json.object(file);
        JsonElement list = root.has("annotations") ? root.get("annotations") : root.get("data");
        if (list == null || !list.isJsonArray()) {
            throw new InvalidInputException(file,
                    "no \"annotations\" (VQA) or \"data\" (TextVQA) list at the top level");
        }
        JsonArray rows = list.getAsJsonArray();
        Map<String, Question> out = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            log.row();
            String where = "annotations[" + i + "]";
            try {
                if (!rows.get(i).isJsonObject()) {
                    throw new BadRow("not a JSON object");
                }
                JsonObject o = rows.get(i).getAsJsonObject();
                String id = Json.text(o, "question_id");
                where = "question " + id;
                List<String> answers = new ArrayList<>();
                for (JsonElement a : Json.array(o, "answers")) {
                    if (a.isJsonObject()) {
                        answers.add(Json.text(a.getAsJsonObject(), "answer"));
                    } else if (a.isJsonPrimitive()) {
                        answers.add(a.getAsString());
                    } else {
                        throw new BadRow("an answer is neither a string nor {answer: ...}");
                    }
                }
                if (answers.isEmpty()) {
                    throw new BadRow("no answers");
                }
                if (out.containsKey(id)) {
                    throw new BadRow("duplicate question_id", id);
                }
                out.put(id, new Question(id, withQuestions ? null : Json.optText(o, "question"),
                        Json.optText(o, "image_id"), answers, Json.optText(o, "answer_type"),
                        Json.optText(o, "question_type")));
                log.kept();
            } catch (BadRow b) {
                log.malformed(where, b);
            }
        }
        return out;
    }

    private static JsonArray list(Path file, JsonObject root, String key) {
        JsonElement e = root.get(key);
        if (e == null || !e.isJsonArray()) {
            throw new InvalidInputException(file, "no \"" + key + "\" list at the top level");
        }
        return e.getAsJsonArray();
    }

    /** The scorer's items. */
    public List<VqaAccuracy.Item> items() {
        return questions.stream().map(Question::toItem).toList();
    }
}
