package org.infllava.eval.bench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What reading a benchmark file found.
 *
 * @param file the file
 * @param rows rows (lines, entries) in the file
 * @param kept rows loaded
 * @param skipped rows left out on purpose, by reason ("not an image question")
 * @param malformed rows that could not be read, by reason ("bad json", "missing field 'label'")
 * @param firstProblems the first ten malformed rows, "line 7: missing field 'label'"
 */
public record LoadReport(Path file, int rows, int kept, Map<String, Integer> skipped, Map<String, Integer> malformed,
        List<String> firstProblems) {

    public LoadReport {
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
        malformed = Collections.unmodifiableMap(new LinkedHashMap<>(malformed));
        firstProblems = List.copyOf(firstProblems);
    }

    /** Malformed rows in all. */
    public int malformedCount() {
        return malformed.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** One line: "12 of 14 rows kept; skipped: 1 not an image question; malformed: 1 bad json". */
    public String summary() {
        StringBuilder sb = new StringBuilder(kept + " of " + rows + " rows kept");
        append(sb, "skipped", skipped);
        append(sb, "malformed", malformed);
        return sb.toString();
    }

    private static void append(StringBuilder sb, String what, Map<String, Integer> counts) {
        if (!counts.isEmpty()) {
            sb.append("; ").append(what).append(":");
            String sep = " ";
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                sb.append(sep).append(e.getValue()).append(' ').append(e.getKey());
                sep = ", ";
            }
        }
    }
}
