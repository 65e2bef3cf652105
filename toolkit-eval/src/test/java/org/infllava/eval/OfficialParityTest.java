package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.infllava.eval.bench.AnswerFile;
import org.infllava.eval.bench.AnswerRows;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.eval.bench.MmBenchSubmission;
import org.infllava.eval.bench.PopeFile;
import org.infllava.eval.bench.ScienceQaFile;
import org.infllava.eval.bench.SeedBenchFile;
import org.infllava.eval.bench.SeedSubmission;
import org.infllava.eval.bench.VqaFiles;
import org.infllava.eval.bench.VqaPairing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Reading#OFFICIAL} reading against the official scripts themselves: {@code src/test/python/
 * official_parity.py} generated the files under {@code src/test/resources/eval/parity}, ran LLaVA's
 * {@code eval_science_qa.py}, {@code eval_textvqa.py} (+ {@code m4c_evaluator.py}), {@code eval_pope.py},
 * {@code convert_seed_for_submission.py}, {@code convert_mmbench_for_submission.py} and GT-Vision-Lab's
 * {@code vqaEval.py} (under Python 2.7.18, checked equal to its Python 3 emulation) on them, and recorded their numbers
 * in {@code expected.json}. Every number must be identical (tolerance 0: the same divisions of the same sums in the
 * same order), every submission file equal cell for cell or byte for byte.
 */
class OfficialParityTest {

    static final Path DIR = Path.of("src/test/resources/eval/parity");
    static JsonObject expected;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        expected = JsonParser.parseString(Files.readString(DIR.resolve("expected.json"))).getAsJsonObject();
    }

    private static double d(JsonObject o, String k) {
        return o.get(k).getAsDouble();
    }

    @Test
    void scienceQaEqualsEvalScienceQa() {
        JsonObject e = expected.getAsJsonObject("sqa");
        ScienceQaFile data = ScienceQaFile.read(DIR.resolve("sqa/problems.json"), DIR.resolve("sqa"),
                LoadOptions.defaults());
        AnswerRows rows = AnswerRows.read(DIR.resolve("sqa/predictions.jsonl"), LoadOptions.defaults());
        Map<String, String> preds = rows.lastWins(true);
        List<MultipleChoice.Item> items = data.items("test");
        ScoreReport r = MultipleChoice.evaluateScienceQa(items, preds);
        // IMG-Accuracy: correct / answered image questions (the script drops the unanswered from the denominator)
        assertEquals(d(e, "img_accuracy"), r.accuracy(), 0.0);
        assertEquals(e.get("img_answered").getAsInt(), r.questions());
        assertEquals(d(e, "img_accuracy_missing_wrong"), r.metrics().get("accuracy_missing_wrong"), 0.0);
        assertEquals(e.get("image_questions").getAsInt() - e.get("img_answered").getAsInt(), r.unanswered().size());
        // every answered image question: the option the script read (get_pred_idx: -1 for FAILED or out of range)
        JsonObject qs = e.getAsJsonObject("questions");
        assertEquals(qs.size(), r.questions());
        Map<String, Integer> nOptions = new HashMap<>();
        items.forEach(it -> nOptions.put(it.id(), it.options().size()));
        int failed = 0;
        for (Map.Entry<String, JsonElement> q : qs.entrySet()) {
            int option = q.getValue().getAsJsonObject().get("option").getAsInt();
            MultipleChoice.Extraction x = MultipleChoice.extractScienceQa(preds.get(q.getKey()),
                    nOptions.get(q.getKey()));
            assertEquals(option, x.option(), "question " + q.getKey() + ": '" + preds.get(q.getKey()) + "' ("
                    + x.rule() + ")");
            failed += option < 0 ? 1 : 0;
        }
        assertTrue(failed >= 10, "the fixture exercises FAILED readings: " + failed);
        // the toolkit's lenient reading gives a different number on the same files
        assertNotEquals(r.accuracy(), MultipleChoice.evaluate(items, AnswerFile.read(DIR.resolve(
                "sqa/predictions.jsonl"), LoadOptions.defaults()).answers()).accuracy());
    }

    @Test
    void textVqaEqualsEvalTextvqaOnLlavasAnswerFile() {
        JsonObject e = expected.getAsJsonObject("textvqa");
        VqaFiles data = VqaFiles.read(null, DIR.resolve("textvqa/TextVQA_val.json"), LoadOptions.defaults());
        AnswerRows rows = AnswerRows.read(DIR.resolve("textvqa/llava_answers.jsonl"), LoadOptions.defaults());
        VqaPairing p = VqaPairing.of(data.questions(), rows, DIR.resolve("textvqa/TextVQA_val.json"));
        assertEquals("image_id+question", p.name());
        ScoreReport r = VqaAccuracy.evaluateRows(data.items(), p.rows());
        assertEquals(d(e, "accuracy"), r.accuracy(), 0.0);
        assertEquals(e.get("rows").getAsInt(), r.questions());
        assertTrue(r.unknownPredictions().isEmpty(), r.unknownPredictions().toString());
        JsonArray scores = e.getAsJsonArray("row_scores");
        Map<String, VqaAccuracy.Item> byId = new HashMap<>();
        data.items().forEach(it -> byId.put(it.id(), it));
        for (int i = 0; i < scores.size(); i++) {
            Map.Entry<String, String> row = p.rows().get(i);
            assertEquals(scores.get(i).getAsDouble(), VqaAccuracy.score(row.getValue(), byId.get(row.getKey())
                    .answers(), VqaAccuracy.Rules.EVALAI), 0.0, "row " + (i + 1));
        }
    }

    @Test
    void vqaEvalUnderPython2() {
        JsonObject e = expected.getAsJsonObject("vqaeval");
        assertTrue(e.get("source").getAsString().startsWith("python 2.7"), e.get("source").getAsString());
        VqaFiles data = VqaFiles.read(DIR.resolve("vqa/questions.json"), DIR.resolve("vqa/annotations.json"),
                LoadOptions.defaults());
        Map<String, String> preds = AnswerFile.read(DIR.resolve("vqa/predictions.jsonl"), LoadOptions.defaults())
                .answers();
        List<VqaAccuracy.Item> items = data.items();
        ScoreReport r = VqaAccuracy.evaluate(items, preds, VqaAccuracy.Rules.VQA_EVAL, Reading.OFFICIAL);
        JsonArray per = e.getAsJsonArray("perQuestion");
        double sum = 0;
        int differ = 0;
        Map<String, double[]> byType = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            VqaAccuracy.Item it = items.get(i);
            double s = VqaAccuracy.score(preds.get(it.id()), it.answers(), VqaAccuracy.Rules.VQA_EVAL,
                    Reading.OFFICIAL);
            assertEquals(per.get(i).getAsDouble(), s, 0.0, "question " + it.id() + ": '" + preds.get(it.id()) + "'");
            assertEquals(e.getAsJsonObject("evalQA").get(it.id()).getAsDouble(), Py2Text.round(100 * s, 2), 0.0);
            differ += s != VqaAccuracy.score(preds.get(it.id()), it.answers(), VqaAccuracy.Rules.VQA_EVAL) ? 1 : 0;
            sum += s;
            double[] t = byType.computeIfAbsent(it.groups().get("answer_type"), k -> new double[2]);
            t[0]++;
            t[1] += s;
        }
        assertTrue(differ >= 5, "the fixture has answers that Python 2 and 3 score differently: " + differ);
        assertEquals(d(e, "mean"), r.accuracy(), 0.0);
        // the printed numbers: round(100 * sum / n, 2) with Python 2's round
        assertEquals(d(e, "overall"), Py2Text.round(100 * sum / items.size(), 2), 0.0);
        JsonObject perType = e.getAsJsonObject("perAnswerType");
        byType.forEach((type, t) -> assertEquals(d(perType, type), Py2Text.round(100 * t[1] / t[0], 2), 0.0, type));
        byType.forEach((type, t) -> assertEquals(t[1] / t[0], r.categories().get("answer_type").get(type)
                .accuracy(), 0.0, type));
    }

    @Test
    void python2RoundsHalvesAwayFromZero() {
        // Python 2.7.18: round(0.125, 2) = 0.13, round(2.675, 2) = 2.67 (2.675 is 2.67499… in binary),
        // round(0.375, 2) = 0.38, round(-0.125, 2) = -0.13, round(12.125, 2) = 12.13; Python 3 gives 0.12 and 12.12.
        assertEquals(0.13, Py2Text.round(0.125, 2), 0.0);
        assertEquals(2.67, Py2Text.round(2.675, 2), 0.0);
        assertEquals(0.38, Py2Text.round(0.375, 2), 0.0);
        assertEquals(-0.13, Py2Text.round(-0.125, 2), 0.0);
        assertEquals(12.13, Py2Text.round(12.125, 2), 0.0);
    }

    @Test
    void seedEqualsConvertSeedForSubmission() throws IOException {
        JsonObject e = expected.getAsJsonObject("seed");
        SeedBenchFile data = SeedBenchFile.read(DIR.resolve("seed/SEED-Bench.json"), DIR.resolve("seed"),
                LoadOptions.defaults());
        AnswerRows rows = AnswerRows.read(DIR.resolve("seed/predictions.jsonl"), LoadOptions.defaults());
        ScoreReport r = MultipleChoice.evaluateExactLetter(data.items(), SeedSubmission.pair(data.items(), rows));
        assertEquals(d(e, "image_accuracy"), r.accuracy(), 0.0);
        assertEquals(e.get("image_count").getAsInt(), r.questions());
        e.getAsJsonObject("per_type").entrySet().forEach(t -> assertEquals(t.getValue().getAsDouble(),
                r.categories().get("question_type").get(t.getKey()).accuracy(), 0.0, t.getKey()));
        assertTrue(r.unknownPredictions().contains("99999"), r.unknownPredictions().toString());
        // string ids name no question for the script (it looks up int(question_id)): unanswered, their rows unknown
        assertTrue(r.unknownPredictions().contains("'70004'"), r.unknownPredictions().toString());
        assertTrue(r.unanswered().contains("70004"), r.unanswered().toString());
        Path upload = tmp.resolve("upload.jsonl");
        SeedSubmission.write(data, rows, upload);
        List<String> want = new ArrayList<>();
        e.getAsJsonArray("upload_image_lines").forEach(l -> want.add(l.getAsString()));
        assertEquals(want, Files.readAllLines(upload, StandardCharsets.UTF_8));
    }

    @Test
    void mmbenchSubmissionEqualsConvertMmbenchForSubmission() throws IOException {
        Path xlsx = tmp.resolve("out.xlsx");
        MmBenchSubmission.write(DIR.resolve("mmbench/mmbench_dev.tsv"), AnswerRows.read(DIR.resolve(
                "mmbench/predictions.jsonl"), LoadOptions.defaults()), xlsx);
        Map<String, String[]> cells = readSheet(xlsx);
        JsonArray want = expected.getAsJsonArray("mmbench_submission");
        int checked = 0;
        for (int r = 0; r < want.size(); r++) {
            JsonArray row = want.get(r).getAsJsonArray();
            for (int c = 0; c < row.size(); c++) {
                JsonObject cell = row.get(c).getAsJsonObject();
                String ref = column(c) + (r + 1);
                String[] got = cells.remove(ref);
                String type = cell.get("type").getAsString();
                switch (type) {
                    case "NoneType" -> assertNull(got, ref);
                    case "str" -> assertEquals(cell.get("value").getAsString(), got[1], ref);
                    case "int", "float" -> assertEquals(cell.get("value").getAsDouble(), Double.parseDouble(got[1]),
                            0.0, ref);
                    case "bool" -> assertEquals(cell.get("value").getAsBoolean() ? "1" : "0", got[1], ref);
                    default -> throw new AssertionError(type);
                }
                if (got != null) {
                    assertEquals(type.equals("str") ? "inlineStr" : type.equals("bool") ? "b" : "n", got[0], ref);
                }
                checked++;
            }
        }
        assertTrue(cells.isEmpty(), "cells the script does not write: " + cells.keySet());
        assertTrue(checked > 100, "cells checked: " + checked);
    }

    @Test
    void popeEqualsEvalPopePerCategory() {
        JsonObject e = expected.getAsJsonObject("pope");
        PopeFile data = PopeFile.read(DIR.resolve("pope/pope.jsonl"), LoadOptions.defaults());
        ScoreReport r = Pope.evaluate(data.items(), AnswerFile.read(DIR.resolve("pope/predictions.jsonl"),
                LoadOptions.defaults()).answers());
        for (Map.Entry<String, JsonElement> c : e.entrySet()) {
            JsonObject want = c.getValue().getAsJsonObject();
            ScoreReport.GroupScore got = r.categories().get("category").get(c.getKey());
            assertEquals(want.get("n").getAsInt(), got.n());
            // Tribuo forms the ratios in its own order: equal to the last bit or two
            assertEquals(d(want, "accuracy"), got.accuracy(), 1e-12, c.getKey());
            for (String m : List.of("precision", "recall", "f1", "yes_ratio")) {
                assertEquals(d(want, m), got.metrics().get(m), 1e-12, c.getKey() + " " + m);
            }
        }
    }

    private static String column(int c) {
        StringBuilder sb = new StringBuilder();
        for (int n = c + 1; n > 0; n = (n - 1) / 26) {
            sb.insert(0, (char) ('A' + (n - 1) % 26));
        }
        return sb.toString();
    }

    /** Cell reference → {type, text} of the written sheet (inline strings and numbers, as the writer writes). */
    private static Map<String, String[]> readSheet(Path xlsx) throws IOException {
        String xml;
        try (ZipFile z = new ZipFile(xlsx.toFile()); InputStream in = z.getInputStream(z.getEntry(
                "xl/worksheets/sheet1.xml"))) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String[]> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<c r=\"([A-Z]+[0-9]+)\"(?: t=\"(\\w+)\")?(?: s=\"\\d+\")?>(?:<v>([^<]*)</v>|<is>"
                + "<t xml:space=\"preserve\">([^<]*)</t></is>)</c>").matcher(xml);
        while (m.find()) {
            String text = m.group(3) != null ? m.group(3) : m.group(4).replace("&lt;", "<").replace("&gt;", ">")
                    .replace("&amp;", "&");
            out.put(m.group(1), new String[] {m.group(2) == null ? "n" : m.group(2), text});
        }
        return out;
    }
}
