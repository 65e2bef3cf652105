package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.infllava.data.SynthCaptions;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.ClipVisionEncoder;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.LlamaConfig;
import org.infllava.model.LlamaDecoder;
import org.infllava.model.MlpProjector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infllava eval} end to end on a tiny random model saved as a model directory and a five-question POPE file.
 * The tokenizer has no word "no" or "not", so by {@code eval_pope.py}'s reading every answer is "yes" and the expected
 * scores follow from the labels alone (yes, no, no, yes, no).
 */
class EvalCommandTest {

    @TempDir
    Path dir;

    private Path modelDir;
    private Path pope;

    @BeforeEach
    void writeModelAndData() throws IOException {
        List<String> words = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
        for (int i = 0; i < 28; i++) {
            words.add("w" + i);
        }
        Path tok = dir.resolve("tokenizer.json");
        Files.writeString(tok, SynthCaptions.wordLevelTokenizer(words));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ClipVisionEncoder vision = new ClipVisionEncoder(new ClipVisionConfig(32, 64, 2, 2, 3, 28, 14,
                    "quick_gelu", 1e-5f));
            vision.initialize(m, 1);
            LlamaDecoder llm = new LlamaDecoder(new LlamaConfig(32, 32, 64, 1, 4, 4, 1e-6f, 10000, null, 256, false));
            llm.initialize(m, 2);
            MlpProjector proj = new MlpProjector(MlpProjector.Type.MLP2X_GELU, 32, 32);
            proj.initialize(m, 3);
            DualPerspectiveEnhancement dem = DemPresets.paper(32, 2, 2);
            dem.initialize(m, 4);
            modelDir = dir.resolve("tiny-paper");
            InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(proj).optDem(dem).build()
                    .save(modelDir, tok, "plain");
        }
        Path data = Files.createDirectories(dir.resolve("pope"));
        StringBuilder jsonl = new StringBuilder();
        String[] labels = {"yes", "no", "no", "yes", "no"};
        for (int i = 0; i < labels.length; i++) {
            BufferedImage img = new BufferedImage(40 + 10 * i, 40, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(40 * i, 200 - 30 * i, 90));
            g.fillRect(5, 5, 20, 20);
            g.dispose();
            ImageIO.write(img, "png", data.resolve("img" + i + ".png").toFile());
            jsonl.append(String.format("{\"question_id\": %d, \"image\": \"img%d.png\", \"text\": \"Is there a w%d in "
                    + "the image?\", \"label\": \"%s\", \"category\": \"%s\"}%n", i, i, i, labels[i],
                    i < 3 ? "random" : "popular"));
        }
        pope = data.resolve("pope.jsonl");
        Files.writeString(pope, jsonl);
    }

    private static JsonObject json(Path f) throws IOException {
        return JsonParser.parseString(Files.readString(f)).getAsJsonObject();
    }

    @Test
    void answersScoresAndResumesOnlyWhatIsMissing() throws IOException {
        Path out = dir.resolve("eval");
        CliRun first = CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--limit", "3", "--batch", "2", "--out", out.toString());
        assertEquals(0, first.code(), first.out() + first.err());
        List<String> rows = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertEquals(3, rows.size());
        JsonObject s = json(out.resolve("summary.json"));
        // labels yes, no, no; every answer is "yes": 1 right, yes-ratio 1, recall 1, precision 1/3
        assertEquals(3, s.get("questions").getAsInt());
        assertEquals(1.0 / 3, s.get("accuracy").getAsDouble(), 1e-9);
        assertEquals(1.0, s.get("yes_ratio").getAsDouble(), 1e-9);
        assertEquals(1.0, s.get("recall").getAsDouble(), 1e-9);
        assertEquals(1.0 / 3, s.get("precision").getAsDouble(), 1e-9);
        assertEquals("plain", s.get("template").getAsString());
        assertEquals("tiny-paper", s.get("model_id").getAsString());
        assertEquals("official", s.get("reading").getAsString());
        assertTrue(first.out().contains("eval pope (official reading): accuracy 0.3333 on 3 question(s) (3 answered "
                + "now, 0 reused"), first.out());
        assertTrue(Files.readString(out.resolve("summary.csv")).startsWith(
                "benchmark,model_id,reading,grouping,group,n,accuracy,precision,recall,f1,yes_ratio\n"
                + "pope,tiny-paper,official,all,all,3,0.333333"), Files.readString(out.resolve("summary.csv")));
        // the answer rows record the user turn as LLaVA's model_vqa_loader does: "<image>\n" + the prompt
        JsonObject row0 = JsonParser.parseString(rows.get(0)).getAsJsonObject();
        assertEquals("<image>\nIs there a w0 in the image?\nAnswer the question using a single word or phrase.",
                row0.get("prompt").getAsString());
        // POPE ids are numbers in LLaVA's files, and stay numbers here
        assertTrue(row0.get("question_id").getAsJsonPrimitive().isNumber(), rows.get(0));

        // An interrupted write left half a line: it is dropped and that question answered again with the rest.
        Files.writeString(out.resolve("predictions.jsonl"), "{\"question_id\": \"3\", \"te",
                java.nio.file.StandardOpenOption.APPEND);
        CliRun second = CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--batch", "4", "--out", out.toString());
        assertEquals(0, second.code(), second.out() + second.err());
        List<String> all = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertEquals(5, all.size());
        assertEquals(rows, all.subList(0, 3), "earlier answers are kept as they were");
        JsonObject s2 = json(out.resolve("summary.json"));
        assertEquals(2, s2.get("answered_now").getAsInt());
        assertEquals(3, s2.get("reused").getAsInt());
        assertEquals(2.0 / 5, s2.get("accuracy").getAsDouble(), 1e-9);
        JsonObject popular = s2.getAsJsonObject("categories").getAsJsonObject("category").getAsJsonObject("popular");
        assertEquals(2, popular.get("n").getAsInt());
        assertEquals(0.5, popular.get("accuracy").getAsDouble(), 1e-9);
        // Nothing missing: nothing answered, the same score again.
        CliRun third = CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--batch", "4", "--out", out.toString());
        assertEquals(0, third.code(), third.out() + third.err());
        assertEquals(0, json(out.resolve("summary.json")).get("answered_now").getAsInt());
        assertEquals(2.0 / 5, json(out.resolve("summary.json")).get("accuracy").getAsDouble(), 1e-9);
        assertEquals(all, Files.readAllLines(out.resolve("predictions.jsonl")));
        // Every answer is what the batch-of-one path gives: rerunning the whole file with --batch 1 agrees row by row.
        Path out1 = dir.resolve("eval-b1");
        assertEquals(0, CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--batch", "1", "--out", out1.toString()).code());
        List<String> texts = all.stream().map(l -> JsonParser.parseString(l).getAsJsonObject().get("text")
                .getAsString()).toList();
        List<String> texts1 = Files.readAllLines(out1.resolve("predictions.jsonl")).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject().get("text").getAsString()).toList();
        assertEquals(texts1, texts);
    }

    @Test
    void badInputIsAnErrorNamingTheFileAndNothingIsLost() throws IOException {
        Path out = dir.resolve("eval");
        CliRun bad = CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "vqav3", "--data",
                pope.toString());
        assertEquals(Main.EXIT_BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("'vqav3'") && bad.err().contains("pope"), bad.err());

        assertEquals(0, CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--limit", "2", "--out", out.toString()).code());
        String before = Files.readString(out.resolve("predictions.jsonl"));
        CliRun other = CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--max-new-tokens", "5", "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, other.code());
        assertTrue(other.err().contains("run.json") && other.err().contains("max_new_tokens"), other.err());
        assertEquals(before, Files.readString(out.resolve("predictions.jsonl")));

        Files.delete(pope.resolveSibling("img4.png"));
        CliRun missing = CliRun.of("eval", "--model", modelDir.toString(), "--benchmark", "pope", "--data",
                pope.toString(), "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("img4.png") && missing.err().contains("question 4"), missing.err());
        assertEquals(before, Files.readString(out.resolve("predictions.jsonl")));

        CliRun noModel = CliRun.of("eval", "--model", dir.resolve("nothing").toString(), "--benchmark", "pope",
                "--data", pope.toString());
        assertEquals(Main.EXIT_BAD_INPUT, noModel.code());
        assertTrue(noModel.err().contains("nothing/config.json"), noModel.err());
    }
}
