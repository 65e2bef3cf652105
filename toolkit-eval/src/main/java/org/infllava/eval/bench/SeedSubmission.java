package org.infllava.eval.bench;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.infllava.eval.MultipleChoice;
import org.infllava.io.InvalidInputException;

/**
 * SEED-Bench answers as LLaVA's {@code convert_seed_for_submission.py} pairs and writes them. Its answer rows are
 * keyed by {@code question_id} with its JSON type; a SEED question is looked up as {@code int(question_id)} when that
 * parses, else as the string, so the string "7" in an answer file does not answer question "7" when scoring.
 */
public final class SeedSubmission {

    private static final Pattern PY_INT = Pattern.compile("[+-]?[0-9]+(?:_[0-9]+)*");

    private SeedSubmission() {}

    /**
     * A string as Python's {@code json.dumps} writes it (ASCII only: {@code \\uXXXX} in lower-case hex for
     * everything beyond, surrogate pairs for code points past U+FFFF), so the upload file is byte for byte the
     * script's.
     */
    static String pyJson(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7E) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** The typed key ({@link AnswerRows#key}) under which the script looks a SEED question id up. */
    static String scoringKey(String questionId) {
        String t = questionId.strip();
        if (PY_INT.matcher(t).matches()) {
            return AnswerRows.key(new BigInteger(t.replace("_", "")).toString(), true);
        }
        return AnswerRows.key(questionId, false);
    }

    /**
     * Question id → answer as the script scores: each question takes the last row under its {@link #scoringKey};
     * rows that answer no question are kept under their id as Python prints it ({@code 99999}, {@code '7'}), so
     * they are reported as unknown and never taken for a question's answer.
     */
    public static Map<String, String> pair(List<MultipleChoice.Item> items, AnswerRows rows) {
        Map<String, String> byKey = rows.lastWins(true);
        Map<String, String> out = new LinkedHashMap<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (MultipleChoice.Item it : items) {
            String k = scoringKey(it.id());
            if (byKey.containsKey(k)) {
                out.put(it.id(), byKey.get(k));
                used.add(k);
            }
        }
        byKey.forEach((k, v) -> {
            if (!used.contains(k)) {
                // named as Python would print the key: 99999 for a number, '7' for a string (which can then never
                // be mistaken for question 7)
                out.putIfAbsent(k.startsWith("#") ? k.substring(1) : "'" + k + "'", v);
            }
        });
        return out;
    }

    /**
     * Writes the upload file: one JSON line {@code {"question_id": id, "prediction": text}} per question of
     * {@code data} in file order, the answer found under the id as a string, else under its integer (the script's
     * order of look-ups). Questions without an answer are left out (the script stops at the first). Written to a
     * temporary file and moved into place.
     */
    public static void write(SeedBenchFile data, AnswerRows rows, Path file) {
        Map<String, String> byKey = rows.lastWins(true);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (SeedBenchFile.Question q : data.questions()) {
                    String text = byKey.get(AnswerRows.key(q.id(), false));
                    if (text == null && PY_INT.matcher(q.id().strip()).matches()) {
                        text = byKey.get(scoringKey(q.id()));
                    }
                    if (text == null) {
                        continue;
                    }
                    w.write("{\"question_id\": " + pyJson(q.id()) + ", \"prediction\": " + pyJson(text) + "}\n");
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing partial is left when this works; the error below names the file either way
            }
            throw new InvalidInputException(file, "cannot write: " + e.getMessage(), e);
        }
    }
}
