package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infllava bench soak}: the flatness verdict (hand-computed cases) and a short run's samples and verdict. */
class SoakTest {

    @TempDir
    Path dir;

    @Test
    void theVerdictJudgesTheSamplesAfterTheWarmUp() {
        // 10 samples, warm-up 0.2: samples 2..9 judged against sample 2 = 100.
        long[] flat = {50, 80, 100, 104, 97, 105, 96, 100, 103, 101};
        SoakVerdict v = SoakVerdict.of(flat, 0.2, 0.05);
        assertEquals(100, v.reference());
        assertEquals(96, v.min());
        assertEquals(105, v.max());
        assertEquals(101, v.last());
        assertEquals(0.05, v.spread(), 1e-12);
        assertTrue(v.flat(), "the warm-up's 50 and 80 do not count; 105 is exactly 5 % over");

        long[] growing = {100, 100, 100, 101, 102, 103, 104, 105, 106, 107};
        SoakVerdict g = SoakVerdict.of(growing, 0.2, 0.05);
        assertEquals(0.07, g.spread(), 1e-12);
        assertFalse(g.flat(), "a steady 1 % a sample leak reaches 7 %");

        long[] dropping = {100, 100, 100, 94, 100, 100, 100, 100, 100, 100};
        assertFalse(SoakVerdict.of(dropping, 0.2, 0.05).flat(), "6 % under the reference");
        assertTrue(SoakVerdict.of(dropping, 0.2, 0.06).flat());
        assertThrows(IllegalArgumentException.class, () -> SoakVerdict.of(new long[0], 0.2, 0.05));
        assertThrows(IllegalArgumentException.class, () -> SoakVerdict.of(flat, 1.0, 0.05));
    }

    /** A short soak: the samples of both phases are printed, each with its verdict, and the run's line. */
    @Test
    void aShortRunPrintsTheSamplesAndAVerdict() throws IOException {
        JsonObject c = JsonParser.parseString(Files.readString(Path.of("../examples/tiny-cpu.json"))).getAsJsonObject();
        JsonObject data = c.getAsJsonObject("data");
        data.addProperty("file", dir.resolve("data/train.jsonl").toString());
        data.addProperty("tokenizer", dir.resolve("data/tokenizer.json").toString());
        data.getAsJsonObject("synth").addProperty("samples", 16);
        c.getAsJsonObject("train").addProperty("batch_size", 2);
        Path config = dir.resolve("soak.json");
        Files.writeString(config, c.toString());

        CliRun run = CliRun.of("bench", "soak", "--config", config.toString(), "--steps", "6", "--generations", "9",
                "--samples", "3", "--new-tokens", "3", "--tolerance", "1000");
        assertEquals(0, run.code(), run.err() + run.out());
        String out = run.out();
        for (String phase : new String[] {"training", "generation"}) {
            Matcher m = Pattern.compile(phase + ": resident ([0-9.]+) MB after warm-up, then ([0-9.]+)-([0-9.]+) MB "
                    + "\\(spread ([0-9.]+) %\\): flat; resident - heap ([0-9.]+) MB, then ").matcher(out);
            assertTrue(m.find(), out);
            double ref = Double.parseDouble(m.group(1));
            double lo = Double.parseDouble(m.group(2));
            double hi = Double.parseDouble(m.group(3));
            assertTrue(lo <= ref && ref <= hi && lo > 50, out);
        }
        assertTrue(out.contains("training: 6 steps in "), out);
        assertTrue(out.contains("generation: 9 answers ("), out);
        assertTrue(out.contains("3 samples per phase"), out);
        assertTrue(out.strip().endsWith(": FLAT"), out);

        CliRun strict = CliRun.of("bench", "soak", "--config", config.toString(), "--steps", "2", "--generations",
                "2", "--samples", "1");
        assertEquals(2, strict.code(), strict.err());
        assertTrue(strict.err().contains("--samples at least 2"), strict.err());
    }
}
