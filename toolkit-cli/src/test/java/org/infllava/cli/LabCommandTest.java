package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.infllava.eval.Accuracy;
import org.infllava.model.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LabCommandTest {

    @TempDir
    Path dir;

    /**
     * A small lab run on the glyph task (one glyph tile per scene, 10 characters: chance 0.1). The stage-0 tower
     * reads glyphs at full resolution, so INF-LLaVA, whose DCM local sub-images show the tile at full resolution,
     * must answer clearly above chance: the lower bound of its 95 % Wilson interval above 0.1.
     */
    @Test
    void trainedInfLlavaReadsGlyphsAboveChanceAndTheRunWritesItsResults() throws IOException {
        CliRun run = CliRun.of("lab", "run", "--tasks", "glyph", "--models", "inf-llava-paper",
                "--train-scenes", "1500", "--test-per-task", "40", "--steps", "1500", "--tower-steps", "2000",
                "--no-control", "--seed", "1", "--out", dir.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        Path lab;
        try (Stream<Path> s = Files.list(dir)) {
            lab = s.filter(p -> p.getFileName().toString().startsWith("lab-")).findFirst().orElseThrow();
        }
        List<String> csv = Files.readAllLines(lab.resolve("results.csv"));
        assertEquals("model,task,n,accuracy,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high,p_value",
                csv.get(0));
        assertEquals(3, csv.size(), csv.toString()); // glyph and the fine-detail pool (here the same questions)
        Map<String, String[]> rows = csv.stream().skip(1).map(l -> l.split(",", -1)).filter(r -> r[1].equals("glyph"))
                .collect(Collectors.toMap(r -> r[0], r -> r));
        String[] inf = rows.get("inf-llava-paper");
        assertEquals("glyph", inf[1]);
        assertEquals("40", inf[2]);
        double acc = Double.parseDouble(inf[3]);
        double low = Double.parseDouble(inf[4]);
        assertEquals(Accuracy.wilson((int) Math.round(acc * 40), 40)[0], low, 1e-4);
        System.out.println("lab test: inf-llava-paper glyph " + String.join(",", inf));
        assertTrue(low > 0.1, "inf-llava-paper glyph accuracy " + acc + " [" + low + ", " + inf[5] + "]\n" + run.out());
        assertTrue(Files.size(lab.resolve("accuracy.png")) > 1000);
        assertTrue(Files.readString(lab.resolve("report.md")).contains("| inf-llava-paper |"));
        assertTrue(run.out().contains("ETA"), "a progress bar");

        // The trained model is saved as a model directory; `infllava eval` on the same test split, in batches of 4,
        // must give exactly the lab's accuracy (the lab answers one question at a time).
        Path model = lab.resolve("inf-llava-paper").resolve("model");
        CliRun eval = CliRun.of("eval", "--model", model.toString(), "--benchmark", "hires", "--data",
                lab.resolve("data").toString(), "--batch", "4", "--out", dir.resolve("eval").toString());
        assertEquals(0, eval.code(), eval.out() + eval.err());
        String summary = Files.readString(dir.resolve("eval").resolve("summary.csv"));
        assertTrue(summary.contains(String.format(java.util.Locale.ROOT,
                "hires,inf-llava-paper,lenient,task,glyph,40,%.6f", acc)), summary + "\nlab: " + String.join(",", inf));
    }

    @Test
    void badLabArgumentsAreUsageErrorsNamingTheValue() {
        CliRun t = CliRun.of("lab", "ablate", "--table", "fusions", "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, t.code());
        assertTrue(t.err().contains("'fusions'") && t.err().contains("dem-variant"), t.err());
        CliRun m = CliRun.of("lab", "run", "--models", "llava-2", "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, m.code());
        assertTrue(m.err().contains("'llava-2'"), m.err());
        assertTrue(m.err().contains("blind") && m.err().contains("ceiling")
                && m.err().contains("inf-llava-paper-residual"), m.err());
        CliRun split = CliRun.of("lab", "run", "--score-on", "dev", "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, split.code());
        assertTrue(split.err().contains("'dev'") && split.err().contains("validation"), split.err());
        CliRun seeds = CliRun.of("lab", "run", "--seeds", "0", "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, seeds.code());
        assertTrue(seeds.err().contains("--seeds must be >= 1, got 0"), seeds.err());
        CliRun parallel = CliRun.of("lab", "run", "--parallel", "0", "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, parallel.code());
        assertTrue(parallel.err().contains("--parallel must be >= 1, got 0"), parallel.err());
        CliRun layers = CliRun.of("lab", "run", "--llm-layers", "0", "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, layers.code());
        assertTrue(layers.err().contains("--llm-layers must be >= 1, got 0"), layers.err());
        CliRun task = CliRun.of("lab", "run", "--tasks", "glyphs", "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, task.code());
        assertTrue(task.err().contains("'glyphs'"), task.err());
        CliRun p = CliRun.of("lab", "probe", "--from", dir.toString(), "--out", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, p.code());
        assertTrue(p.err().contains(dir.toString()) && p.err().contains("stage0/vision"), p.err());
    }

    @Test
    void llmLayersChangesOnlyTheDecoderDepthOfEveryRow() {
        LabCommand.Run deeper = new LabCommand.Run();
        new CommandLine(deeper).parseArgs("--llm-layers", "3", "--quick");
        LabCommand.Run plain = new LabCommand.Run();
        new CommandLine(plain).parseArgs("--quick");
        LlamaConfig d = deeper.budget.settings().llm();
        LlamaConfig q = plain.budget.settings().llm();
        assertEquals(2, q.layers());
        assertEquals(3, d.layers());
        assertEquals(q.hiddenSize(), d.hiddenSize());
        assertEquals(q.heads(), d.heads());
        assertEquals(q.kvHeads(), d.kvHeads());
        assertEquals(q.intermediateSize(), d.intermediateSize());
        assertEquals(plain.budget.settings().steps(), deeper.budget.settings().steps());
    }
}
