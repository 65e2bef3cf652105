package org.infllava.eval.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.infllava.eval.Pope;
import org.infllava.io.InvalidInputException;

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

    /**
     * The yes/no questions of a HiResSynth split file ({@code train.json}, {@code val.json} or {@code test.json}):
     * its single-question rows of the {@code exists} task (POPE's kind of question), in file order, with
     * {@code question_id} = the row id, the row's image path, the question without its {@code <image>} placeholder,
     * the label, and category {@code "hires"}.
     *
     * @throws InvalidInputException naming the file when it is unreadable or not a list of HiResSynth rows
     */
    public static List<Question> fromHiResSynth(Path splitFile) {
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(splitFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException(splitFile, "cannot read: " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new InvalidInputException(splitFile, "not valid JSON: " + e.getMessage());
        }
        if (!root.isJsonArray()) {
            throw new InvalidInputException(splitFile, "expected a JSON list of HiResSynth rows");
        }
        List<Question> out = new ArrayList<>();
        int row = 0;
        for (JsonElement e : root.getAsJsonArray()) {
            row++;
            try {
                JsonObject o = e.getAsJsonObject();
                if (!o.has("task") || !o.get("task").getAsString().equals("exists")) {
                    continue;
                }
                JsonArray conv = o.getAsJsonArray("conversations");
                String text = conv.get(0).getAsJsonObject().get("value").getAsString().replace("<image>", "").strip();
                String label = conv.get(1).getAsJsonObject().get("value").getAsString().strip()
                        .toLowerCase(Locale.ROOT);
                if (!label.equals("yes") && !label.equals("no")) {
                    throw new IllegalStateException("answer '" + label + "' is neither yes nor no");
                }
                out.add(new Question(o.get("id").getAsString(), o.get("image").getAsString(), text,
                        label.equals("yes"), "hires"));
            } catch (RuntimeException ex) {
                throw new InvalidInputException(splitFile, "row " + row + " is not a HiResSynth exists row (id, image,"
                        + " task, conversations): " + ex.getMessage());
            }
        }
        return out;
    }

    /**
     * Writes questions as a POPE file (one JSON object per line: {@code question_id}, {@code image}, {@code text},
     * {@code label}, and {@code category} when set), atomically: what {@link #read} reads back.
     */
    public static void write(List<Question> questions, Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Question q : questions) {
            JsonObject o = new JsonObject();
            o.addProperty("question_id", q.id());
            o.addProperty("image", q.image());
            o.addProperty("text", q.text());
            o.addProperty("label", q.yes() ? "yes" : "no");
            if (q.category() != null) {
                o.addProperty("category", q.category());
            }
            sb.append(o).append('\n');
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The scorer's items. */
    public List<Pope.Item> items() {
        return questions.stream().map(Question::toItem).toList();
    }
}
