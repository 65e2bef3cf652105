package org.infllava.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infllava-spark eval|features} as the launcher and {@code spark-submit} run them: output and exit codes. */
class SparkMainTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void evalWritesWhatInfllavaEvalWritesAndBadInputExitsTwo() throws IOException {
        Path model = Tiny.model(dir);
        Path pope = Tiny.pope(dir, 4);
        Path single = dir.resolve("single");
        Tiny.singleProcess(model, pope, single, 8, 4);
        Path out = dir.resolve("spark");
        Run ok = run("eval", "--spark", "local[2]", "--model", model.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--max-new-tokens", "4", "--batch", "2", "--out", out.toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("eval pope on spark: accuracy ") && ok.out().contains("(4 answered now, 0 reused"),
                ok.out());
        assertEquals(Files.readString(single.resolve("predictions.jsonl")), Files.readString(out.resolve(
                "predictions.jsonl")));
        assertEquals(Files.readString(single.resolve("summary.csv")), Files.readString(out.resolve("summary.csv")));

        Run bad = run("eval", "--spark", "local[2]", "--model", model.toString(), "--benchmark", "vqav3", "--data",
                pope.toString(), "--out", dir.resolve("x").toString());
        assertEquals(SparkMain.EXIT_BAD_INPUT, bad.code());
        assertTrue(bad.err().startsWith("infllava-spark: --benchmark: ") && bad.err().contains("'vqav3'"), bad.err());

        Run noModel = run("eval", "--spark", "local[2]", "--model", dir.resolve("nothing").toString(), "--benchmark",
                "pope", "--data", pope.toString(), "--out", dir.resolve("y").toString());
        assertEquals(SparkMain.EXIT_BAD_INPUT, noModel.code());
        assertTrue(noModel.err().contains("nothing/config.json"), noModel.err());
        assertFalse(Files.exists(dir.resolve("y").resolve("predictions.jsonl")));

        Run noImages = run("features", "--spark", "local[2]", "--model", model.toString(), "--images",
                dir.resolve("none").toString(), "--out", dir.resolve("f.parquet").toString());
        assertEquals(SparkMain.EXIT_BAD_INPUT, noImages.code());
        assertTrue(noImages.err().contains("none: not a folder of images"), noImages.err());
    }
}
