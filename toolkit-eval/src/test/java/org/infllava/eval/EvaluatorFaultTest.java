package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.io.AtomicFiles;
import org.infllava.io.DiskFaults;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected while the evaluator writes its predictions and summaries: the answers written before survive bit
 * for bit, no half row or temporary file is left, and a rerun without the fault finishes with every answer.
 */
class EvaluatorFaultTest {

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        AtomicFiles.setOpener(AtomicFiles.FILES);
    }

    private BenchmarkData data() throws IOException {
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            Files.createFile(dir.resolve("img" + i + ".png"));
            rows.append("{\"question_id\": \"").append(i).append("\", \"image\": \"img").append(i)
                    .append(".png\", \"question\": \"Q").append(i).append("\", \"options\": [\"x\", \"y\"],")
                    .append(" \"answer\": \"A\"}\n");
        }
        Path f = dir.resolve("ai2d.jsonl");
        Files.writeString(f, rows);
        return Benchmark.get("ai2d").load(f, null, LoadOptions.defaults());
    }

    /** Answers "A" to everything, one question per batch. */
    private static Evaluator evaluator(int limit) {
        return Evaluator.builder().optAnswerer((todo, tokens, sink) -> todo.forEach(q -> sink.accept(List.of(q),
                List.of("A")))).optBatchSize(1).optLimit(limit).optModelId("fake").optOutput(
                        new PrintWriter(new StringWriter())).build();
    }

    /** Only {@code name} (or its temporary file {@code .name.tmp-*}) fails, after {@code budget} bytes of its own. */
    private static AtomicFiles.Opener fullFor(String name, long budget) {
        AtomicFiles.Opener full = DiskFaults.fullAfter(budget);
        return (file, options) -> {
            String f = file.getFileName().toString();
            return f.equals(name) || f.startsWith("." + name + ".tmp") ? full.open(file, options)
                    : AtomicFiles.FILES.open(file, options);
        };
    }

    @Test
    void aFullDiskKeepsTheAnswersWrittenBefore() throws IOException {
        BenchmarkData data = data();
        Path out = dir.resolve("eval");
        assertEquals(2, evaluator(2).run(data, out).answeredNow());
        Path pred = out.resolve("predictions.jsonl");
        byte[] two = Files.readAllBytes(pred);
        Map<String, String> summary = DiskFaults.snapshot(out);

        // The third answer's row is cut after 30 of its bytes.
        try (DiskFaults f = DiskFaults.install(fullFor("predictions.jsonl", 30))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> evaluator(4).run(data, out));
            assertEquals(pred, e.file());
            assertTrue(e.getMessage().startsWith(pred + ": cannot write: the disk is full: ")
                    && e.getMessage().endsWith("(the predictions answered before are kept; rerun to answer the rest)")
                    && !e.getMessage().contains("\n"), e.getMessage());
        }
        assertArrayEquals(two, Files.readAllBytes(pred), "no half row");
        assertEquals(summary, DiskFaults.snapshot(out), "run.json, the summaries and the predictions as they were");

        // A full disk while the summaries are replaced: the previous summaries stay whole.
        try (DiskFaults f = DiskFaults.install(fullFor("summary.csv", 10))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> evaluator(2).run(data, out));
            assertTrue(e.getMessage().startsWith(out.resolve("summary.csv") + ": cannot write: the disk is full: ")
                    && e.getMessage().endsWith("(the previous version is intact)"), e.getMessage());
        }
        assertEquals(summary.get("summary.csv"), DiskFaults.snapshot(out).get("summary.csv"));
        assertFalse(DiskFaults.names(out).stream().anyMatch(n -> n.startsWith(".")), DiskFaults.names(out).toString());

        EvalResult r = evaluator(4).run(data, out);
        assertEquals(2, r.answeredNow());
        assertEquals(2, r.reused());
        assertEquals(4, Files.readAllLines(pred).size());
    }

    @Test
    void aReadOnlyDirectoryWritesNothing() throws IOException {
        BenchmarkData data = data();
        Path out = dir.resolve("eval");
        try (DiskFaults f = DiskFaults.install(DiskFaults.readOnly())) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> evaluator(2).run(data, out));
            assertTrue(e.getMessage().startsWith(out.resolve("run.json") + ": cannot write: permission denied (a "
                    + "read-only directory?): "), e.getMessage());
        }
        assertEquals(List.of(), DiskFaults.names(out));
    }
}
