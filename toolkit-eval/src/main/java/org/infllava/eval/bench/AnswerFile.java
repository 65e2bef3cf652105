package org.infllava.eval.bench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A LLaVA answer file: JSONL rows {@code {question_id, text, ...}} ({@code prompt}, {@code answer_id},
 * {@code model_id}, {@code metadata} are ignored). For MMBench {@code question_id} is the TSV {@code index}.
 * Malformed rows ("bad json", "missing field 'question_id'", "missing field 'text'") and repeated ids ("duplicate
 * question_id"; the first answer is kept) are counted in the report.
 *
 * @param answers question id to the answer text, in file order
 * @param report what reading found
 */
public record AnswerFile(Map<String, String> answers, LoadReport report) {

    public AnswerFile {
        answers = Collections.unmodifiableMap(new LinkedHashMap<>(answers));
    }

    /** Reads {@code file}. */
    public static AnswerFile read(Path file, LoadOptions options) {
        RowLog log = new RowLog(file, options);
        Map<String, String> answers = new LinkedHashMap<>();
        Json.eachLine(log, (line, o) -> {
            String id = Json.text(o, "question_id");
            String text = Json.text(o, "text");
            if (answers.containsKey(id)) {
                throw new BadRow("duplicate question_id", id);
            }
            answers.put(id, text);
            log.kept();
        });
        return new AnswerFile(answers, log.report());
    }
}
