package org.infllava.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.ChatTemplate.Role;
import org.infllava.infer.ChatTemplate.Turn;
import org.infllava.io.InvalidInputException;

/**
 * A LLaVA-format dataset: a JSON array or JSONL of rows {@code {id, image (path or list), conversations: [{from:
 * human|gpt, value}]}} with {@code <image>} in the human turns, images under an image root (read lazily by the
 * trainer). Malformed rows are skipped and counted by reason, or the first one stops the load ({@code strict}).
 */
public final class LlavaDataset {

    /** Why a row was skipped. */
    public enum Reason {
        /** A JSONL line that is not a JSON object. */
        BAD_JSON,
        /** No {@code conversations} list, or a turn without {@code from}/{@code value}. */
        MISSING_FIELD,
        /** An image file that does not exist under the image root. */
        MISSING_IMAGE_FILE,
        /** The number of {@code <image>} placeholders differs from the number of images. */
        IMAGE_COUNT_MISMATCH,
        /** No turns. */
        EMPTY_CONVERSATION,
        /** Turns that do not alternate human, gpt, ..., ending with gpt; or an unknown speaker. */
        UNBALANCED_CONVERSATION
    }

    /**
     * One usable row.
     *
     * @param index position in the file (0-based, counting every row)
     * @param id the row's id (its index when absent)
     * @param images image files, resolved against the image root
     * @param turns the conversation
     */
    public record Row(int index, String id, List<Path> images, List<Turn> turns) {}

    /**
     * What loading found.
     *
     * @param total rows in the file
     * @param kept rows kept
     * @param skipped skipped rows by reason
     * @param firstProblems the first few problems, "row N (id X): reason: detail"
     */
    public record Report(int total, int kept, Map<Reason, Integer> skipped, List<String> firstProblems) {
        /** A one-paragraph summary for logs. */
        public String summary() {
            StringBuilder sb = new StringBuilder(kept + " of " + total + " rows kept");
            skipped.forEach((r, n) -> sb.append(", ").append(n).append(" skipped: ").append(r.name().toLowerCase()
                    .replace('_', ' ')));
            return sb.toString();
        }
    }

    private final Path file;
    private final List<Row> rows;
    private final Report report;

    private LlavaDataset(Path file, List<Row> rows, Report report) {
        this.file = file;
        this.rows = List.copyOf(rows);
        this.report = report;
    }

    /**
     * Loads a dataset.
     *
     * @param file {@code .json} (an array) or {@code .jsonl}
     * @param imageRoot directory the {@code image} paths are relative to
     * @param strict stop at the first malformed row with an error naming it
     */
    public static LlavaDataset load(Path file, Path imageRoot, boolean strict) {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidInputException(file, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
        List<String> raw = new ArrayList<>();
        List<JsonElement> parsed = new ArrayList<>();
        if (text.stripLeading().startsWith("[")) {
            try {
                for (JsonElement e : JsonParser.parseString(text).getAsJsonArray()) {
                    parsed.add(e);
                    raw.add(null);
                }
            } catch (JsonParseException | IllegalStateException e) {
                throw new InvalidInputException(file, "not a valid JSON array: "
                        + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
            }
        } else {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    raw.add(line);
                    parsed.add(null);
                }
            }
        }
        Map<Reason, Integer> skipped = new EnumMap<>(Reason.class);
        List<String> problems = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            JsonElement e = parsed.get(i);
            String id = String.valueOf(i);
            try {
                if (e == null) {
                    try {
                        e = JsonParser.parseString(raw.get(i));
                    } catch (JsonParseException ex) {
                        throw new Problem(Reason.BAD_JSON, "line " + (i + 1) + " is not JSON: "
                                + InvalidInputException.excerpt(String.valueOf(ex.getMessage())));
                    }
                }
                if (!e.isJsonObject()) {
                    throw new Problem(Reason.BAD_JSON, "not a JSON object");
                }
                JsonObject o = e.getAsJsonObject();
                if (o.has("id") && !o.get("id").isJsonNull()) {
                    id = InvalidInputException.excerpt(text(o.get("id"), Reason.BAD_JSON, "id"));
                }
                rows.add(row(i, id, o, imageRoot));
            } catch (Problem p) {
                String where = "row " + i + " (id " + id + "): " + p.reason.name().toLowerCase().replace('_', ' ')
                        + ": " + p.getMessage();
                if (strict) {
                    throw new InvalidInputException(file, where);
                }
                skipped.merge(p.reason, 1, Integer::sum);
                if (problems.size() < 10) {
                    problems.add(where);
                }
            }
        }
        return new LlavaDataset(file, rows, new Report(parsed.size(), rows.size(), skipped, problems));
    }

    private static Row row(int index, String id, JsonObject o, Path root) throws Problem {
        List<Path> images = new ArrayList<>();
        JsonElement img = o.get("image");
        if (img != null && !img.isJsonNull()) {
            if (img.isJsonArray()) {
                for (JsonElement x : img.getAsJsonArray()) {
                    images.add(image(root, text(x, Reason.MISSING_FIELD, "image")));
                }
            } else {
                images.add(image(root, text(img, Reason.MISSING_FIELD, "image")));
            }
        }
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                throw new Problem(Reason.MISSING_IMAGE_FILE, InvalidInputException.excerpt(p.toString())
                        + " does not exist");
            }
        }
        if (!o.has("conversations") || !o.get("conversations").isJsonArray()) {
            throw new Problem(Reason.MISSING_FIELD, "no conversations list");
        }
        JsonArray conv = o.getAsJsonArray("conversations");
        if (conv.isEmpty()) {
            throw new Problem(Reason.EMPTY_CONVERSATION, "conversations is empty");
        }
        List<Turn> turns = new ArrayList<>();
        int placeholders = 0;
        for (int t = 0; t < conv.size(); t++) {
            JsonObject turn = conv.get(t).isJsonObject() ? conv.get(t).getAsJsonObject() : null;
            if (turn == null || !turn.has("from") || !turn.has("value")) {
                throw new Problem(Reason.MISSING_FIELD, "turn " + t + " lacks from/value");
            }
            String from = text(turn.get("from"), Reason.MISSING_FIELD, "turn " + t + " from");
            Role role = switch (from) {
                case "human", "user" -> Role.USER;
                case "gpt", "assistant" -> Role.ASSISTANT;
                default -> throw new Problem(Reason.UNBALANCED_CONVERSATION, "turn " + t + " from unknown speaker '"
                        + InvalidInputException.excerpt(from) + "'");
            };
            Role expected = t % 2 == 0 ? Role.USER : Role.ASSISTANT;
            if (role != expected) {
                throw new Problem(Reason.UNBALANCED_CONVERSATION, "turn " + t + " is " + from + ", expected "
                        + (expected == Role.USER ? "human" : "gpt"));
            }
            String value = text(turn.get("value"), Reason.MISSING_FIELD, "turn " + t + " value");
            placeholders += count(value, ChatTemplate.IMAGE_PLACEHOLDER);
            turns.add(new Turn(role, value));
        }
        if (turns.size() % 2 != 0) {
            throw new Problem(Reason.UNBALANCED_CONVERSATION, "ends with a human turn (no answer)");
        }
        if (placeholders != images.size()) {
            throw new Problem(Reason.IMAGE_COUNT_MISMATCH, placeholders + " <image> placeholder(s) for "
                    + images.size() + " image(s)");
        }
        return new Row(index, id, images, turns);
    }

    /** A string (or number) field's text; anything else is a problem of {@code reason}. */
    private static String text(JsonElement e, Reason reason, String what) throws Problem {
        if (e == null || !e.isJsonPrimitive()) {
            throw new Problem(reason, what + " is not a string");
        }
        return e.getAsString();
    }

    /** An image path under the root; one the file system cannot name (a NUL byte) is a missing image. */
    private static Path image(Path root, String relative) throws Problem {
        try {
            return root.resolve(relative);
        } catch (java.nio.file.InvalidPathException e) {
            throw new Problem(Reason.MISSING_IMAGE_FILE, "image path '" + InvalidInputException.excerpt(relative)
                    + "' is not a valid path");
        }
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    /** A malformed row. */
    private static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Reason reason;

        Problem(Reason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The usable rows, in file order. */
    public List<Row> rows() {
        return rows;
    }

    /** What loading found. */
    public Report report() {
        return report;
    }
}
