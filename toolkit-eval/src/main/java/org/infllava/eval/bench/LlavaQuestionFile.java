package org.infllava.eval.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A LLaVA-style question file (what LLaVA's {@code model_vqa_loader.py} reads): JSONL rows
 * {@code {question_id, image, text, category?}}.
 *
 * @param questions the questions in file order
 * @param report what reading found
 */
public record LlavaQuestionFile(List<Question> questions, LoadReport report) {

    /**
     * One question.
     *
     * @param id {@code question_id}
     * @param image image file, relative to the benchmark's image folder
     * @param text the prompt text
     * @param category the {@code category}, or {@code null}
     */
    public record Question(String id, String image, String text, String category) {}

    public LlavaQuestionFile {
        questions = List.copyOf(questions);
    }

    /** Reads {@code file}. */
    public static LlavaQuestionFile read(Path file, LoadOptions options) {
        RowLog log = new RowLog(file, options);
        List<Question> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Json.eachLine(log, (line, o) -> {
            String id = Json.text(o, "question_id");
            Question q = new Question(id, Json.text(o, "image"), Json.text(o, "text"), Json.optText(o, "category"));
            if (!ids.add(id)) {
                throw new BadRow("duplicate question_id", id);
            }
            out.add(q);
            log.kept();
        });
        return new LlavaQuestionFile(out, log.report());
    }
}
