package org.infllava.eval.bench;

import com.google.gson.JsonElement;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LLaVA answer file read row by row, as the official scripts read it: every row in file order, repeated ids
 * included, with the JSON type of {@code question_id} and the {@code prompt}. ({@link AnswerFile} is the toolkit's
 * reading: one answer per id, the first kept.) Malformed rows ("bad json", "missing field 'question_id'",
 * "missing field 'text'") are counted in the report.
 *
 * @param rows the rows, in file order
 * @param report what reading found
 */
public record AnswerRows(List<Row> rows, LoadReport report) {

    /**
     * One row.
     *
     * @param id {@code question_id} as text (a JSON number with an integral value as its integer, {@code 7.0} as
     *     {@code "7"}, as Python's {@code 7 == 7.0} pairs them)
     * @param idIsNumber whether {@code question_id} is a JSON number (Python's {@code int}/{@code float}; a string
     *     {@code "7"} never equals the number 7 in the scripts' dictionaries)
     * @param text the answer
     * @param prompt {@code prompt}, or {@code null}
     * @param line the 1-based line
     */
    public record Row(String id, boolean idIsNumber, String text, String prompt, int line) {}

    public AnswerRows {
        rows = List.copyOf(rows);
    }

    /** Reads {@code file}. */
    public static AnswerRows read(Path file, LoadOptions options) {
        RowLog log = new RowLog(file, options);
        List<Row> rows = new ArrayList<>();
        Json.eachLine(log, (line, o) -> {
            String id = Json.text(o, "question_id");
            JsonElement e = o.get("question_id");
            boolean number = e.getAsJsonPrimitive().isNumber();
            if (number) {
                try {
                    id = new BigDecimal(id).stripTrailingZeros().toPlainString();
                } catch (NumberFormatException ex) {
                    throw new BadRow("question_id is not a number", id);
                }
            }
            rows.add(new Row(id, number, Json.text(o, "text"), Json.optText(o, "prompt"), line));
            log.kept();
        });
        return new AnswerRows(rows, log.report());
    }

    /**
     * Id → answer as a Python dictionary comprehension {@code {r['question_id']: r for r in rows}} builds it: a
     * repeated id keeps its last answer. Keys of numeric ids are prefixed {@code "#"} when {@code typed}, so that
     * they equal only keys built the same way ({@link #key}).
     */
    public Map<String, String> lastWins(boolean typed) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Row r : rows) {
            m.put(typed ? key(r.id(), r.idIsNumber()) : r.id(), r.text());
        }
        return Collections.unmodifiableMap(m);
    }

    /** A typed key: {@code "#7"} for the number 7, {@code "7"} for the string "7". */
    public static String key(String id, boolean number) {
        return number ? "#" + id : id;
    }
}
