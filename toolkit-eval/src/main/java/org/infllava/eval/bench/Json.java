package org.infllava.eval.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;

/** Reading JSON and JSON-lines benchmark files, with field access that reports what is wrong with a row. */
final class Json {

    /** Parses one JSONL row; {@code line} is 1-based. */
    interface LineParser {
        void accept(int line, JsonObject row) throws BadRow;
    }

    private Json() {}

    /** Every non-blank line of a JSONL file: counted, parsed, handed on; bad JSON and {@link BadRow}s go to the log. */
    static void eachLine(RowLog log, LineParser parser) {
        try (BufferedReader r = Files.newBufferedReader(log.file(), StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (n == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                log.row();
                try {
                    JsonElement e;
                    try {
                        e = JsonParser.parseString(line);
                    } catch (JsonParseException ex) {
                        throw new BadRow("bad json");
                    }
                    if (!e.isJsonObject()) {
                        throw new BadRow("bad json", "not a JSON object");
                    }
                    parser.accept(n, e.getAsJsonObject());
                } catch (BadRow b) {
                    log.malformed("line " + n, b);
                }
            }
        } catch (IOException e) {
            throw unreadable(log.file(), e);
        }
    }

    /** A whole JSON file that must be an object. */
    static JsonObject object(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        try {
            JsonElement e = JsonParser.parseString(text.startsWith("\uFEFF") ? text.substring(1) : text);
            if (!e.isJsonObject()) {
                throw new InvalidInputException(file, "expected a JSON object at the top level");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new InvalidInputException(file, "not valid JSON: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
    }

    static InvalidInputException unreadable(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new InvalidInputException(file, "no such file", e);
        }
        if (e instanceof CharacterCodingException) {
            return new InvalidInputException(file, "not UTF-8 text", e);
        }
        return new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
    }

    /** {@code root} resolved by {@code parts}; a part that is no path on this system (a NUL byte, say) is a bad row. */
    static java.nio.file.Path path(java.nio.file.Path root, String... parts) throws BadRow {
        try {
            java.nio.file.Path p = root;
            for (String part : parts) {
                p = p.resolve(part);
            }
            return p;
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadRow("not a valid path", String.join("/", parts));
        }
    }

    /** A string or number field as text. */
    static String text(JsonObject o, String field) throws BadRow {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new BadRow("missing field '" + field + "'");
        }
        if (!e.isJsonPrimitive()) {
            throw new BadRow("field '" + field + "' is not a string or number");
        }
        return e.getAsString();
    }

    /** A string or number field as text, or {@code null} when absent or null. */
    static String optText(JsonObject o, String field) throws BadRow {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : text(o, field);
    }

    /** An integer field (a JSON number or a string of digits). */
    static int integer(JsonObject o, String field) throws BadRow {
        String t = text(o, field);
        try {
            return Integer.parseInt(t.strip());
        } catch (NumberFormatException ex) {
            throw new BadRow("field '" + field + "' is not an integer", "'" + t + "'");
        }
    }

    /** An array field. */
    static JsonArray array(JsonObject o, String field) throws BadRow {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new BadRow("missing field '" + field + "'");
        }
        if (!e.isJsonArray()) {
            throw new BadRow("field '" + field + "' is not a list");
        }
        return e.getAsJsonArray();
    }
}
