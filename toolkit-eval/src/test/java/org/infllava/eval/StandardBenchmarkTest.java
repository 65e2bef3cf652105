package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.eval.bench.LoadReport;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompts, the multiple-choice JSONL of AI2D/MMMU, OK-VQA image names and the HiResSynth scorer. */
class StandardBenchmarkTest {

    @TempDir
    Path dir;

    /** LLaVA-1.5's model_vqa_science / model_vqa_mmbench layout, written out by hand. */
    @Test
    void promptsFollowLlava15() {
        assertEquals("Context: a sunny day\nWhich is warmer?\nA. ice\nB. the sun\n"
                + "Answer with the option's letter from the given choices directly.",
                StandardBenchmark.multipleChoicePrompt("Context: a sunny day", "Which is warmer? ", List.of("ice",
                        " the sun")));
        assertEquals("Is there a dog in the image?\nAnswer the question using a single word or phrase.",
                StandardBenchmark.shortAnswerPrompt("Is there a dog in the image?"));
        // LLaVA's llava_pope_test.jsonl already carries the instruction: sent once
        assertEquals("Is there a dog in the image?\nAnswer the question using a single word or phrase.",
                StandardBenchmark.shortAnswerPrompt("Is there a dog in the image?\nAnswer the question using a "
                        + "single word or phrase."));
        // ScienceQA, CQM-A (convert_sqa_to_llava.py) + model_vqa_science.py --single-pred-prompt, by hand: context
        // "N/A" when the hint is empty, "(A) x (B) y" on one line, double spaces made single, <image> removed.
        assertEquals("Context: N/A\nQuestion: Which is warmer?\nOptions: (A) ice (B) the sun\n"
                + "Answer with the option's letter from the given choices directly.",
                StandardBenchmark.scienceQaPrompt("", "Which is warmer?", List.of("ice", "the sun")));
        assertEquals("Context: A sunny day.\nQuestion: Which is warmer? \nOptions: (A) ice (B) sun\n"
                + "Answer with the option's letter from the given choices directly.",
                StandardBenchmark.scienceQaPrompt(" A sunny day. ", "Which is  warmer? ", List.of("ice", "sun")));
        assertEquals("Context: Look.\nQuestion: Which?\nOptions: (A) x (B) y\n" + StandardBenchmark.LETTER_ANSWER,
                StandardBenchmark.scienceQaPrompt("Look.", "Which?<image>", List.of("x", "y")));
        // MMBench, model_vqa_mmbench.py --single-pred-prompt: hint line, question, "A. option" lines, no stripping
        assertEquals("Hint \nWhat is it? \nA.  cat\nB. dog\n" + StandardBenchmark.LETTER_ANSWER,
                StandardBenchmark.mmbenchPrompt("Hint ", "What is it? ", List.of(" cat", "dog")));
        assertEquals("What?\nA. cat\nB. dog\n" + StandardBenchmark.LETTER_ANSWER,
                StandardBenchmark.mmbenchPrompt(null, "What?", List.of("cat", "dog")));
        assertEquals(List.of("pope", "sqa", "mmbench", "seed", "ai2d", "mmmu", "okvqa", "hires"),
                Benchmark.names());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Benchmark.get("vqav3"));
        assertTrue(e.getMessage().contains("'vqav3'") && e.getMessage().contains("okvqa"), e.getMessage());
    }

    @Test
    void multipleChoiceJsonlKeepsGoodRowsAndCountsTheRestByReason() throws IOException {
        Path f = dir.resolve("ai2d.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"question_id\": \"1\", \"image\": \"a.png\", \"question\": \"Q1\", \"options\": [\"x\", \"y\", \"z\"],"
                        + " \"answer\": \"B\", \"category\": \"food chain\"}",
                "{\"question_id\": \"2\", \"image\": \"b.png\", \"question\": \"Q2\", \"options\": [\"cat\", \"dog\"],"
                        + " \"answer\": 0, \"subject\": \"life cycle\", \"hint\": \"h\"}",
                "{\"question_id\": \"3\", \"image\": [\"c.png\", \"d.png\"], \"question\": \"Q3\", \"options\": [\"p\","
                        + " \"q\"], \"answer\": \"A\"}",
                "{\"question_id\": \"4\", \"image\": \"e.png\", \"question\": \"open\", \"answer\": \"42\"}",
                "{\"question_id\": \"5\", \"image\": \"f.png\", \"question\": \"Q5\", \"options\": [\"p\", \"q\"],"
                        + " \"answer\": \"E\"}",
                "{\"question_id\": \"1\", \"image\": \"g.png\", \"question\": \"dup\", \"options\": [\"p\", \"q\"],"
                        + " \"answer\": \"A\"}",
                "{\"question_id\": \"7\", \"image\": \"h.png\", \"question\": \"Q7\", \"options\": [\"p\", \"q\"],"
                        + " \"answer\": \"B\", \"category\": \"food chain\"}"));
        BenchmarkData d = Benchmark.get("ai2d").load(f, null, LoadOptions.defaults());
        LoadReport r = d.reports().get(0);
        assertEquals(7, r.rows());
        assertEquals(3, r.kept());
        assertEquals(Map.of("several images", 1, "no options (open question)", 1), r.skipped());
        assertEquals(Map.of("answer out of range", 1, "duplicate question_id", 1), r.malformed());
        assertEquals(List.of("1", "2", "7"), d.questions().stream().map(EvalQuestion::id).toList());
        assertEquals("h\nQ2\nA. cat\nB. dog\n" + StandardBenchmark.LETTER_ANSWER, d.questions().get(1).prompt());
        assertEquals(dir.toAbsolutePath().resolve("b.png"), d.questions().get(1).imageFile());
        // Asked 1 and 2 (7 left out): "B" right for 1; "dog" names option B for 2 whose answer is A: 1 of 2.
        ScoreReport s = d.scorer().score(List.of("1", "2"), Map.of("1", "B", "2", "dog", "7", "B"));
        assertEquals(2, s.questions());
        assertEquals(0.5, s.accuracy(), 1e-12);
        assertEquals(List.of(), s.unknownPredictions(), "answers to questions not asked are left out, not unknown");
        assertEquals(1.0, s.categories().get("category").get("food chain").accuracy(), 1e-12);
        assertEquals(0.0, s.categories().get("category").get("life cycle").accuracy(), 1e-12);
    }

    @Test
    void okvqaImagesUseCocoNamesOrTheIdItself() throws IOException {
        Files.createFile(dir.resolve("COCO_val2014_000000000042.jpg"));
        Files.createFile(dir.resolve("77.png"));
        assertEquals(dir.resolve("COCO_val2014_000000000042.jpg"), StandardBenchmark.cocoImage(dir, "42"));
        assertEquals(dir.resolve("77.png"), StandardBenchmark.cocoImage(dir, "77"));
        assertEquals(dir.resolve("COCO_val2014_000000000005.jpg"), StandardBenchmark.cocoImage(dir, "5"),
                "absent: the COCO name, so the error names what was looked for");
    }

    @Test
    void hiresScoresFirstWordsPerTaskAndCountsUnanswered() throws IOException {
        Files.writeString(dir.resolve("test.json"), "["
                + row("h1", "glyph", "7") + "," + row("h2", "glyph", "k") + "," + row("h3", "count", "3") + ","
                + row("h4", "count", "2") + "]");
        BenchmarkData d = Benchmark.get("hires").load(dir, null, LoadOptions.defaults());
        assertEquals(4, d.questions().size());
        assertEquals("<image>\nWhat is it?", d.questions().get(0).prompt());
        assertEquals(2, d.maxNewTokens());
        ScoreReport s = d.scorer().score(List.of("h1", "h2", "h3", "h4"), Map.of("h1", "7 7", "h2", "K.", "h3",
                "4"));
        // glyph: "7 7" -> 7 right, "K." -> k right; count: 4 wrong, h4 unanswered (wrong): 2 of 4
        assertEquals(0.5, s.accuracy(), 1e-12);
        assertEquals(1.0, s.categories().get("task").get("glyph").accuracy(), 1e-12);
        assertEquals(0.0, s.categories().get("task").get("count").accuracy(), 1e-12);
        assertEquals(List.of("h4"), s.unanswered());
        double[] ci = Accuracy.wilson(2, 4);
        assertEquals(ci[0], s.metrics().get("ci_low"), 1e-12);

        Files.writeString(dir.resolve("bad.json"), "[{\"id\": \"x\"}]");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Benchmark.get("hires").load(dir.resolve("bad.json"), null, LoadOptions.defaults()));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("row 1"), e.getMessage());
    }

    private static String row(String id, String task, String answer) {
        return "{\"id\": \"" + id + "\", \"image\": \"images/" + id + ".png\", \"task\": \"" + task + "\", "
                + "\"conversations\": [{\"from\": \"human\", \"value\": \"<image>\\nWhat is it?\"}, "
                + "{\"from\": \"gpt\", \"value\": \"" + answer + "\"}]}";
    }
}
