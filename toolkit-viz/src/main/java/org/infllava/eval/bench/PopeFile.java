package org.infllava.eval.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.infllava.eval.Pope;

/**
 * A POPE file: JSONL rows {@code {question_id, image, text, label}} with label {@code yes} or {@code no}, and an
 * optional {@code category} (adversarial, popular, random) as in LLaVA's merged POPE question file.
 *
 * @param questions the questions in file order
 * @param report what reading found; malformed rows by reason ("missing field 'label'", "label is neither yes nor
 *     no", "duplicate question_id", "bad json")
 */
public record PopeFile(List<Question> questions, LoadReport report) {

    /**
     * One question.
     *
     * @param id {@code question_id}
     * @param image image file name, relative to the benchmark's image folder
     * @param text the question
     * @param yes whether the label is yes
     * @param category the {@code category}, or {@code null}
     */
    public record Question(String id, String image, String text, boolean yes, String category) {
        /** The scorer's view: id, label, and {@code category} as its one grouping when present. */
        public Pope.Item toItem() {
            return new Pope.Item(id, yes, category == null ? Map.of() : Map.of("category", category));
        }
    }

    public PopeFile {
        questions = List.copyOf(questions);
    }

    /** Reads {@code file}. */
    public static PopeFile read(Path file, LoadOptions options) {
        RowLog log = new RowLog(file, options);
        List<Question> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Json.eachLine(log, (line, o) -> {
            String id = Json.text(o, "question_id");
            String image = Json.text(o, "image");
            String text = Json.text(o, "text");
            String label = Json.text(o, "label").strip().toLowerCase(Locale.ROOT);
            if (!label.equals("yes") && !label.equals("no")) {
                throw new BadRow("label is neither yes nor no", "'" + label + "'");
            }
            if (!ids.add(id)) {
                throw new BadRow("duplicate question_id", id);
            }
            out.add(new Question(id, image, text, label.equals("yes"), Json.optText(o, "category")));
            log.kept();
        });
        return new PopeFile(out, log.report());
    }

    /** The scorer's items. */
    public List<Pope.Item> items() {
        return questions.stream().map(Question::toItem).toList();
    }
}
