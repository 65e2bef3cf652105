package org.infllava.eval.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.eval.MultipleChoice;

/**
 * ScienceQA's {@code problems.json}: an object of problem id to {@code {question, choices, answer (index), hint,
 * image (file name or null), split, subject, grade, category, ...}}. Only image questions are kept (ScienceQA-img);
 * the others are counted as skipped ("no image"). Image files are {@code <imageRoot>/<split>/<id>/<image>}, as in
 * the released {@code images/} folder; they are not opened here.
 *
 * @param problems the image questions, in file order
 * @param report what reading found; entries are named "problem ID"
 */
public record ScienceQaFile(List<Problem> problems, LoadReport report) {

    /**
     * One image question.
     *
     * @param id problem id
     * @param question the question
     * @param hint the context text ({@code hint}), empty when none
     * @param choices the options, lettered A, B, …
     * @param answer index of the right choice
     * @param image the image file
     * @param split {@code train}, {@code val}, {@code test}, …
     * @param subject natural science, social science or language science
     * @param grade {@code grade1} … {@code grade12}, or {@code null}
     * @param category the skill category ({@code category}), or {@code null}
     */
    public record Problem(String id, String question, String hint, List<String> choices, int answer, Path image,
            String split, String subject, String grade, String category) {

        public Problem {
            choices = List.copyOf(choices);
        }

        /** The scorer's view, grouped by {@code subject} and by {@code grades} (1-6 or 7-12, the paper's columns). */
        public MultipleChoice.Item toItem() {
            Map<String, String> groups = new LinkedHashMap<>();
            if (subject != null) {
                groups.put("subject", subject);
            }
            if (grade != null && grade.matches("grade\\d+")) {
                groups.put("grades", Integer.parseInt(grade.substring(5)) <= 6 ? "1-6" : "7-12");
            }
            return new MultipleChoice.Item(id, choices, answer, groups);
        }
    }

    public ScienceQaFile {
        problems = List.copyOf(problems);
    }

    /**
     * Reads {@code problemsJson}.
     *
     * @param imageRoot the folder holding {@code train/}, {@code val/}, {@code test/}
     */
    public static ScienceQaFile read(Path problemsJson, Path imageRoot, LoadOptions options) {
        RowLog log = new RowLog(problemsJson, options);
        List<Problem> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : Json.object(problemsJson).entrySet()) {
            log.row();
            String id = e.getKey();
            try {
                if (!e.getValue().isJsonObject()) {
                    throw new BadRow("not a JSON object");
                }
                JsonObject o = e.getValue().getAsJsonObject();
                String image = Json.optText(o, "image");
                if (image == null || image.isBlank()) {
                    log.skipped("no image");
                    continue;
                }
                List<String> choices = new ArrayList<>();
                for (JsonElement c : Json.array(o, "choices")) {
                    if (!c.isJsonPrimitive()) {
                        throw new BadRow("a choice is not a string");
                    }
                    choices.add(c.getAsString());
                }
                if (choices.size() < 2 || choices.size() > 26) {
                    throw new BadRow("not 2 to 26 choices", choices.size() + " choices");
                }
                int answer = Json.integer(o, "answer");
                if (answer < 0 || answer >= choices.size()) {
                    throw new BadRow("answer out of range", answer + " of " + choices.size() + " choices");
                }
                String split = Json.text(o, "split");
                String hint = Json.optText(o, "hint");
                out.add(new Problem(id, Json.text(o, "question"), hint == null ? "" : hint, choices, answer,
                        Json.path(imageRoot, split, id, image), split, Json.optText(o, "subject"),
                        Json.optText(o, "grade"), Json.optText(o, "category")));
                log.kept();
            } catch (BadRow b) {
                log.malformed("problem " + id, b);
            }
        }
        return new ScienceQaFile(out, log.report());
    }

    /** The scorer's items for one split ({@code test} for the reported numbers). */
    public List<MultipleChoice.Item> items(String split) {
        return problems.stream().filter(p -> p.split().equals(split)).map(Problem::toItem).toList();
    }
}
