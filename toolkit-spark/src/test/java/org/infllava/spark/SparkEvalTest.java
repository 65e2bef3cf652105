package org.infllava.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.eval.EvalResult;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed evaluation in local mode against {@link org.infllava.eval.Evaluator} in one process on the same tiny
 * random model (whose greedy answers are arbitrary word sequences, different per question, so a question answered
 * with another's image or prompt shows): the same {@code predictions.jsonl} byte for byte and the same scores for
 * every partitioning; resuming; and faults on the executors.
 */
class SparkEvalTest {

    private static final int N = 7;
    private static final int TOKENS = 6;

    @TempDir
    static Path dir;

    private static Path modelDir;
    private static Path pope;
    private static Path reference;

    @BeforeAll
    static void referenceRun() {
        modelDir = Tiny.model(dir);
        pope = Tiny.pope(dir, N);
        reference = dir.resolve("single");
        Tiny.singleProcess(modelDir, pope, reference, 3, TOKENS);
    }

    private static SparkEval.Builder spark() {
        return SparkEval.builder().setSpark(Tiny.jsc()).setModelDir(modelDir).optMaxNewTokens(TOKENS);
    }

    private static Map<String, String> answers(Path out) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out.resolve("predictions.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            m.put(o.get("question_id").getAsString(), o.get("text").getAsString());
        }
        return m;
    }

    @Test
    void sameFilesAsOneProcessWhateverThePartitioning() throws IOException {
        String predictions = Files.readString(reference.resolve("predictions.jsonl"));
        assertEquals(N, predictions.lines().count());
        assertTrue(new HashSet<>(answers(reference).values()).size() > 1, "the random model answers differently");
        // batch 2 in 4 partitions, 3 partitions of batch 3 (uneven: 2, 2, 3), one question per partition
        int[][] cases = {{2, 0}, {3, 3}, {4, N}};
        for (int[] c : cases) {
            Path out = dir.resolve("spark-b" + c[0] + "-p" + c[1]);
            EvalResult r = spark().optBatchSize(c[0]).optPartitions(c[1]).build().run("pope", pope, null, out);
            assertEquals(predictions, Files.readString(out.resolve("predictions.jsonl")), "batch " + c[0]
                    + ", partitions " + c[1]);
            assertEquals(Files.readString(reference.resolve("summary.csv")), Files.readString(out.resolve(
                    "summary.csv")));
            assertEquals(N, r.answeredNow());
            JsonObject run = JsonParser.parseString(Files.readString(out.resolve("run.json"))).getAsJsonObject();
            assertEquals("tiny-paper", run.get("model_id").getAsString());
            assertEquals(TOKENS, run.get("max_new_tokens").getAsInt());
            assertTrue(run.get("answered_by").getAsString().startsWith("spark local[2]"), run.toString());
            assertTrue(run.has("model_config_sha256") && run.has("data_sha256") && run.has("git_commit"));
            assertTrue(Files.readString(out.resolve("summary.md")).contains("answered now " + N));
        }
    }

    @Test
    void resumesOnlyWhatIsMissing() throws IOException {
        Path out = dir.resolve("resume");
        EvalResult first = spark().optLimit(3).optBatchSize(2).build().run("pope", pope, null, out);
        assertEquals(3, first.answeredNow());
        List<String> rows = Files.readAllLines(out.resolve("predictions.jsonl"));
        EvalResult second = spark().optBatchSize(2).optPartitions(2).build().run("pope", pope, null, out);
        assertEquals(N - 3, second.answeredNow());
        assertEquals(3, second.reused());
        List<String> all = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertEquals(rows, all.subList(0, 3));
        assertEquals(Files.readString(reference.resolve("predictions.jsonl")), Files.readString(out.resolve(
                "predictions.jsonl")));
        assertEquals(0, spark().build().run("pope", pope, null, out).answeredNow());
    }

    @Test
    void anImageAnExecutorCannotReadStopsTheRunKeepsTheRestAndARerunResumes() throws IOException {
        Path data = Files.createDirectories(dir.resolve("broken"));
        for (int i = 0; i < N; i++) {
            Files.copy(pope.resolveSibling("img" + i + ".png"), data.resolve("img" + i + ".png"));
        }
        Path file = Files.copy(pope, data.resolve("pope.jsonl"));
        Files.writeString(data.resolve("img4.png"), "not a png"); // exists: only decoding on the executor fails
        Path out = dir.resolve("broken-out");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> spark().optBatchSize(1)
                .optPartitions(N).build().run("pope", file, null, out));
        assertTrue(e.getMessage().contains("img4.png") && e.getMessage().contains("question 4")
                && e.getMessage().contains("executor driver"), e.getMessage());
        assertTrue(e.getMessage().contains("a rerun answers only the rest"), e.getMessage());
        Map<String, String> kept = answers(out);
        assertFalse(kept.containsKey("4"));
        Map<String, String> expected = answers(reference);
        kept.forEach((id, text) -> assertEquals(expected.get(id), text, "question " + id));
        assertTrue(kept.size() >= 1, "partitions answered before the failure are kept: " + kept.keySet());

        Files.copy(pope.resolveSibling("img4.png"), data.resolve("img4.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        EvalResult again = spark().optBatchSize(2).build().run("pope", file, null, out);
        assertEquals(N - kept.size(), again.answeredNow());
        assertEquals(sorted(expected), sorted(answers(out)), "every question answered once, as in one process");
        assertEquals(N, Files.readAllLines(out.resolve("predictions.jsonl")).size());
        assertEquals(Files.readString(reference.resolve("summary.csv")), Files.readString(out.resolve("summary.csv")));
    }

    private static Map<String, String> sorted(Map<String, String> m) {
        Map<String, String> s = new java.util.TreeMap<>(m);
        return new LinkedHashMap<>(s);
    }

    @Test
    void aModelDirectoryTheExecutorsCannotLoadIsAnErrorNamingIt() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("unloadable")).resolve("tiny-paper");
        try (var s = Files.walk(modelDir)) {
            for (Path f : s.toList()) {
                Files.copy(f, copy.resolve(modelDir.relativize(f).toString()));
            }
        }
        // The driver reads only config.json; the weights are what the executors load.
        Files.writeString(copy.resolve("model.safetensors"), "truncated");
        Path out = dir.resolve("unloadable-out");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SparkEval.builder()
                .setSpark(Tiny.jsc()).setModelDir(copy).optMaxNewTokens(TOKENS).build().run("pope", pope, null, out));
        assertTrue(e.getMessage().contains("cannot load the model directory " + copy.toAbsolutePath())
                && e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(!Files.exists(out.resolve("predictions.jsonl"))
                || Files.readString(out.resolve("predictions.jsonl")).isEmpty());
    }

    @Test
    void malformedRowsAreReportedOrInStrictModeAnErrorNamingTheLine() throws IOException {
        Path data = Files.createDirectories(dir.resolve("malformed"));
        for (int i = 0; i < N; i++) {
            Files.copy(pope.resolveSibling("img" + i + ".png"), data.resolve("img" + i + ".png"));
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(pope));
        lines.set(2, "{\"question_id\": 2, \"image\": \"img2.png\", \"text\": ");
        Path file = Files.write(data.resolve("pope.jsonl"), lines);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> spark().optStrict(true).build()
                .run("pope", file, null, dir.resolve("strict-out")));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 3"), e.getMessage());
        // Not strict: the row is skipped on the driver and on the executors alike; the rest is answered as before.
        Path out = dir.resolve("lenient-out");
        EvalResult r = spark().optBatchSize(2).build().run("pope", file, null, out);
        assertEquals(N - 1, r.answeredNow());
        Map<String, String> expected = new LinkedHashMap<>(answers(reference));
        expected.remove("2");
        assertEquals(expected, answers(out));
        assertTrue(Files.readString(out.resolve("summary.md")).contains("malformed"), Files.readString(
                out.resolve("summary.md")));
    }
}
