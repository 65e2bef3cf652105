package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {

    @TempDir
    Path dir;

    @Test
    void tokensPrintsTheBudgetOfClipLargeAt1008() {
        CliRun run = CliRun.of("tokens", "--width", "1008", "--height", "1008");
        assertEquals(0, run.code(), run.err());
        // 19 passes; 577 tokens per pass; 72·72 = 5184 map tokens; 576 to the LLM; 7,256.4 GFLOPs (TokenBudgetTest).
        String dcmRow = run.out().lines().filter(l -> l.startsWith("INF-LLaVA DCM + low-res")).findFirst().orElseThrow();
        assertTrue(dcmRow.matches(".*3x3\\s+1008x1008\\s+19\\s+577\\s+5184\\s+576\\s+7,256\\.4\\s+19\\.00x\\s*"), dcmRow);
        String base = run.out().lines().filter(l -> l.startsWith("LLaVA-1.5")).findFirst().orElseThrow();
        assertTrue(base.contains("381.9"), base);
    }

    @Test
    void tokensRejectsBadSizes() {
        CliRun run = CliRun.of("tokens", "--width", "0", "--height", "10");
        assertEquals(Main.EXIT_BAD_INPUT, run.code());
        assertTrue(run.err().contains("--width"), run.err());
        assertEquals(Main.EXIT_BAD_INPUT, CliRun.of("tokens", "--height", "10").code(), "missing --width is usage");
    }

    @Test
    void benchModelRejectsBadCountsNamingThem() {
        CliRun run = CliRun.of("bench", "model", "--size", "tiny", "--warmup", "-1");
        assertEquals(Main.EXIT_BAD_INPUT, run.code());
        assertTrue(run.err().contains("warmup=-1") && run.err().contains("--warmup >= 0"), run.err());
        CliRun it = CliRun.of("bench", "model", "--size", "tiny", "--iterations", "0");
        assertEquals(Main.EXIT_BAD_INPUT, it.code());
        assertTrue(it.err().contains("iterations=0"), it.err());
        CliRun secs = CliRun.of("bench", "model", "--size", "tiny", "--warmup-seconds", "-0.5");
        assertEquals(Main.EXIT_BAD_INPUT, secs.code());
        assertTrue(secs.err().contains("warmup-seconds=-0.5") && secs.err().contains("--warmup-seconds >= 0"),
                secs.err());
    }

    /**
     * {@code bench ops} times the operations {@code bench/bench_ops.py} times, under the same names and in the same
     * order (compare.sh pairs them by name), and prints a positive time for each; bad counts are a one-line usage
     * error naming them.
     */
    @Test
    void benchOpsTimesThePeersOperationsByName() throws IOException {
        java.util.List<String> peer = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(\"([^\"]+)\", lambda")
                .matcher(Files.readString(Path.of("../bench/bench_ops.py")));
        while (m.find()) {
            peer.add(m.group(1));
        }
        assertEquals(12, peer.size(), "bench_ops.py's operations: " + peer);
        CliRun run = CliRun.of("bench", "ops", "--calls", "20", "--rounds", "1", "--warmup-seconds", "0");
        assertEquals(0, run.code(), run.err());
        java.util.List<String> rows = run.out().lines().filter(l -> l.matches(".*\\s[\\d.]+\\s+[\\d.]+\\s*")).toList();
        assertEquals(peer, rows.stream().map(l -> l.replaceAll("\\s+[\\d.]+\\s+[\\d.]+\\s*$", "").trim()).toList());
        for (String r : rows) {
            String[] f = r.trim().split("\\s+");
            assertTrue(Double.parseDouble(f[f.length - 2]) > 0, r);
        }
        CliRun bad = CliRun.of("bench", "ops", "--rounds", "0");
        assertEquals(Main.EXIT_BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("rounds=0") && bad.err().contains("--rounds >= 1"), bad.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"demo", "showcase", "crop", "tokens", "dem", "features", "logits", "chat", "train", "data",
            "lab", "version", "bench", "kernel"}) {
            CliRun run = CliRun.of(c, "--help");
            assertEquals(0, run.code(), c);
            assertTrue(run.out().contains("Usage: infllava " + c), c + ": " + run.out());
        }
    }

    @Test
    void versionNamesToolkitJavaAndDjl() {
        CliRun run = CliRun.of("version");
        assertEquals(0, run.code());
        assertTrue(run.out().startsWith("infllava 0.1.0-SNAPSHOT"), run.out());
        assertTrue(run.out().contains("djl 0.36.0"), run.out());
    }

    @Test
    void showcaseRunsEndToEndAndProvesTheRoundTrips() throws IOException {
        CliRun run = CliRun.of("showcase", "--out", dir.toString(), "--size", "96", "--sub-size", "32", "--seed", "3");
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("All checks passed"), run.out());
        assertEquals(11, run.out().lines().filter(l -> l.trim().startsWith("ok")).count(), run.out());
        assertTrue(run.out().contains("REFERENCE") && run.out().contains("1 of 9"), run.out());
        Path demo;
        try (Stream<Path> s = Files.list(dir)) {
            demo = s.filter(p -> p.getFileName().toString().startsWith("showcase-")).findFirst().orElseThrow();
        }
        for (String f : new String[] {"scene.png", "overlay.png", "global-mosaic.png", "budget.txt", "demo.json",
            "crops/manifest.json", "crops/local-2-2.png", "crops/global-0-1.png", "crops/low-res.png"}) {
            assertTrue(Files.exists(demo.resolve(f)), f);
        }
        JsonObject summary = JsonParser.parseString(Files.readString(demo.resolve("demo.json"))).getAsJsonObject();
        assertEquals(3, summary.get("seed").getAsInt());
        assertTrue(summary.get("checksPassed").getAsBoolean());
    }
}
