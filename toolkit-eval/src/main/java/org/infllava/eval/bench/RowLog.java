package org.infllava.eval.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.io.InvalidInputException;

/** Counts a file's rows as they are read: kept, skipped by reason, malformed by reason (or stops, when strict). */
final class RowLog {

    private static final int PROBLEMS_KEPT = 10;

    private final Path file;
    private final boolean strict;
    private final Map<String, Integer> skipped = new LinkedHashMap<>();
    private final Map<String, Integer> malformed = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private int rows;
    private int kept;

    RowLog(Path file, LoadOptions options) {
        this.file = file;
        this.strict = options.strict();
    }

    Path file() {
        return file;
    }

    void row() {
        rows++;
    }

    void kept() {
        kept++;
    }

    void skipped(String reason) {
        skipped.merge(reason, 1, Integer::sum);
    }

    /** A malformed row at {@code where} ("line 7", "problem 42"): counted, or thrown when strict. */
    void malformed(String at, BadRow bad) {
        String where = InvalidInputException.excerpt(at); // an entry's key ("problem <key>") comes from the file
        if (strict) {
            throw new InvalidInputException(file, where + ": " + bad.getMessage());
        }
        malformed.merge(bad.reason, 1, Integer::sum);
        if (problems.size() < PROBLEMS_KEPT) {
            problems.add(where + ": " + bad.getMessage());
        }
    }

    LoadReport report() {
        return new LoadReport(file, rows, kept, skipped, malformed, problems);
    }
}
