package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreCommandTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static JsonObject json(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    private Path popeData() throws IOException {
        return write("pope.jsonl", """
                {"question_id": 1, "image": "a.jpg", "text": "Is there a dog?", "label": "yes", "category": "random"}
                {"question_id": 2, "image": "a.jpg", "text": "Is there a cat?", "label": "no", "category": "random"}
                {"question_id": 3, "image": "b.jpg", "text": "Is there a bus?", "label": "yes", "category": "popular"}
                {"question_id": 4, "image": "b.jpg", "text": "Is there a car?", "label": "no", "category": "popular"}
                """);
    }

    @Test
    void popeScoresReportsAndWritesJson() throws IOException {
        Path preds = write("answers.jsonl", """
                {"question_id": 1, "text": "Yes, there is a dog."}
                {"question_id": 2, "text": "Yes."}
                {"question_id": 4, "text": "No, there is no car."}
                {"question_id": 99, "text": "Yes"}
                {"question_id": 5, "text":
                """);
        Path out = dir.resolve("out/S.json");
        CliRun run = CliRun.of("score", "--benchmark", "pope", "--predictions", preds.toString(), "--data",
                popeData().toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonObject s = json(out);
        // 1: yes/yes (tp); 2: said yes to a no (fp); 3: unanswered, label yes (missed); 4: no/no (tn).
        assertEquals(4, s.get("questions").getAsInt());
        assertEquals(0.5, s.get("accuracy").getAsDouble(), 1e-12);   // (1 + 1) / 4
        assertEquals(0.5, s.get("precision").getAsDouble(), 1e-12);  // 1 / (1 + 1)
        assertEquals(0.5, s.get("recall").getAsDouble(), 1e-12);     // 1 / 2 yes labels
        assertEquals(0.5, s.get("f1").getAsDouble(), 1e-12);
        assertEquals(0.5, s.get("yes_ratio").getAsDouble(), 1e-12);  // 2 yes of 4
        assertEquals(1, s.get("unanswered").getAsInt());
        assertEquals("3", s.getAsJsonArray("unanswered_ids").get(0).getAsString());
        assertEquals(1, s.get("unknown_predictions").getAsInt());
        assertEquals("99", s.getAsJsonArray("unknown_prediction_ids").get(0).getAsString());
        // random: 1 right, 2 wrong → 0.5; popular: 3 unanswered, 4 right → 0.5.
        assertEquals(0.5, s.getAsJsonObject("categories").getAsJsonObject("category").getAsJsonObject("random")
                .get("accuracy").getAsDouble(), 1e-12);
        assertEquals(1, s.getAsJsonObject("malformed").getAsJsonObject(preds.toString()).get("bad json").getAsInt());
        assertTrue(run.out().contains("unanswered (counted wrong): 1 (3)"), run.out());
        assertTrue(run.out().contains("unknown predictions (not scored): 1 (99)"), run.out());
        assertTrue(run.out().contains("line 5: bad json"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("accuracy\\s+0\\.5000\\s*")), run.out());
    }

    @Test
    void badInputExitsTwoWithOneLineNamingTheFile() throws IOException {
        Path preds = write("answers.jsonl", "{\"question_id\": 1, \"text\": \"Yes\"}\n{\"text\": \"No\"}\n");
        CliRun strict = CliRun.of("score", "--benchmark", "pope", "--predictions", preds.toString(), "--data",
                popeData().toString(), "--strict");
        assertEquals(Main.EXIT_BAD_INPUT, strict.code());
        assertEquals("infllava score: " + preds + ": line 2: missing field 'question_id'", strict.err().strip());
        CliRun noData = CliRun.of("score", "--benchmark", "pope", "--predictions", preds.toString());
        assertEquals(Main.EXIT_BAD_INPUT, noData.code());
        assertTrue(noData.err().contains("needs --data"), noData.err());
        CliRun misplaced = CliRun.of("score", "--benchmark", "pope", "--predictions", preds.toString(), "--data",
                popeData().toString(), "--circular");
        assertEquals(Main.EXIT_BAD_INPUT, misplaced.code());
        assertTrue(misplaced.err().contains("--circular does not apply to --benchmark pope"), misplaced.err());
        Path notTsv = write("mm.tsv", "idx\tq\n");
        CliRun badTsv = CliRun.of("score", "--benchmark", "mmbench", "--predictions", preds.toString(), "--data",
                notTsv.toString());
        assertEquals(Main.EXIT_BAD_INPUT, badTsv.code());
        assertTrue(badTsv.err().startsWith("infllava score: " + notTsv + ": header lacks column 'index'"),
                badTsv.err());
        assertEquals(1, badTsv.err().strip().lines().count());
    }

    @Test
    void mmbenchCircularAndPlain() throws IOException {
        Path tsv = write("mmbench.tsv", "index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\tl2-category\n"
                + "0\tWhich animal?\tnan\tcat\tdog\tnan\tnan\tB\tanimals\tperception\n"
                + "1000000\tWhich animal?\tnan\tdog\tcat\tnan\tnan\tA\tanimals\tperception\n"
                + "1\tWhich colour?\tnan\tred\tblue\tnan\tnan\tA\tcolours\tperception\n"
                + "1000001\tWhich colour?\tnan\tblue\tred\tnan\tnan\tB\tcolours\tperception\n");
        Path preds = write("answers.jsonl", """
                {"question_id": 0, "text": "B"}
                {"question_id": 1000000, "text": "A. dog"}
                {"question_id": 1, "text": "A"}
                {"question_id": 1000001, "text": "The answer is A."}
                """);
        Path out = dir.resolve("S.json");
        CliRun circular = CliRun.of("score", "--benchmark", "mmbench", "--predictions", preds.toString(), "--data",
                tsv.toString(), "--circular", "--out", out.toString());
        assertEquals(0, circular.code(), circular.err());
        JsonObject s = json(out);
        // Question 0 right in both rotations; question 1 wrong in its second → 1 of 2. Rows: 3 of 4.
        assertEquals(2, s.get("questions").getAsInt());
        assertEquals(0.5, s.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(0.75, s.get("row_accuracy").getAsDouble(), 1e-12);
        assertTrue(s.get("circular").getAsBoolean());
        assertEquals(1.0, s.getAsJsonObject("categories").getAsJsonObject("category").getAsJsonObject("animals")
                .get("accuracy").getAsDouble(), 1e-12);
        Path xlsx = dir.resolve("upload/mmbench.xlsx");
        CliRun plain = CliRun.of("score", "--benchmark", "mmbench", "--predictions", preds.toString(), "--data",
                tsv.toString(), "--submission", xlsx.toString(), "--out", out.toString());
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0.75, json(out).get("accuracy").getAsDouble(), 1e-12);
        assertFalse(json(out).has("row_accuracy"));
        // MMBench is scored by its server: the local number is the lenient reading, and says so
        assertEquals("lenient", json(out).get("reading").getAsString());
        assertTrue(plain.out().contains("wrote " + xlsx), plain.out());
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(xlsx.toFile())) {
            String sheet = new String(z.getInputStream(z.getEntry("xl/worksheets/sheet1.xml")).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            // columns index, question, A, B, C, D, prediction, answer (hint, category, l2-category dropped)
            assertTrue(sheet.contains("<c r=\"G1\" t=\"inlineStr\" s=\"1\"><is><t xml:space=\"preserve\">prediction"),
                    sheet);
            assertTrue(sheet.contains("<c r=\"G3\" t=\"inlineStr\"><is><t xml:space=\"preserve\">A. dog</t>"), sheet);
        }
    }

    @Test
    void vqaScienceQaAndSeed() throws IOException {
        Path ann = write("ann.json", """
                {"annotations": [
                  {"question_id": 1, "answer_type": "number", "answers": [{"answer": "2", "answer_id": 1},
                    {"answer": "2", "answer_id": 2}, {"answer": "2", "answer_id": 3}, {"answer": "3", "answer_id": 4}]},
                  {"question_id": 2, "answer_type": "other", "answers": [{"answer": "cat", "answer_id": 1}]}]}
                """);
        Path vqaPreds = write("vqa.jsonl", "{\"question_id\": 1, \"text\": \"Two.\"}\n");
        Path out = dir.resolve("S.json");
        CliRun vqa = CliRun.of("score", "--benchmark", "textvqa", "--predictions", vqaPreds.toString(),
                "--annotations", ann.toString(), "--out", out.toString());
        assertEquals(0, vqa.code(), vqa.err());
        // Q1: "Two." → "2"; 3 of 4 answers match; leaving a "2" out leaves 2 → 2/3 (three times), leaving the "3" out
        // leaves 3 → 1; (3·2/3 + 1) / 4 = 0.75. Official (eval_textvqa.py): the mean over the answer rows, 0.75;
        // Q2 is unanswered and not counted.
        assertEquals(0.75, json(out).get("accuracy").getAsDouble(), 1e-12);
        assertEquals("evalai", json(out).get("vqa_rules").getAsString());
        assertEquals("official", json(out).get("reading").getAsString());
        assertEquals("question_id", json(out).get("pairing").getAsString());
        // Lenient: Q2 unanswered counts as 0 → mean 0.375.
        CliRun lenient = CliRun.of("score", "--benchmark", "textvqa", "--predictions", vqaPreds.toString(),
                "--annotations", ann.toString(), "--reading", "lenient", "--out", out.toString());
        assertEquals(0, lenient.code(), lenient.err());
        assertEquals(0.375, json(out).get("accuracy").getAsDouble(), 1e-12);
        assertEquals("lenient", json(out).get("reading").getAsString());
        // OK-VQA's official scorer is vqaEval.py: humans disagree on Q1, so "Two." is normalised to "2" → 0.75;
        // Q2 unanswered counts 0 → 0.375, with vqa_rules vqaeval
        CliRun ok = CliRun.of("score", "--benchmark", "okvqa", "--predictions", vqaPreds.toString(),
                "--annotations", ann.toString(), "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertEquals("vqaeval", json(out).get("vqa_rules").getAsString());
        assertEquals(0.375, json(out).get("accuracy").getAsDouble(), 1e-12);

        Path problems = write("problems.json", """
                {"1": {"question": "Q?", "choices": ["x", "y"], "answer": 1, "image": "image.png", "split": "test",
                       "subject": "natural science", "grade": "grade3"},
                 "2": {"question": "Q?", "choices": ["x", "y", "z"], "answer": 2, "image": "image.png",
                       "split": "test", "subject": "social science", "grade": "grade9"},
                 "3": {"question": "Q?", "choices": ["x", "y"], "answer": 0, "image": null, "split": "test"}}
                """);
        Path sqaPreds = write("sqa.jsonl", "{\"question_id\": \"1\", \"text\": \"B\"}\n"
                + "{\"question_id\": \"2\", \"text\": \"y\"}\n");
        CliRun sqa = CliRun.of("score", "--benchmark", "sqa", "--predictions", sqaPreds.toString(), "--data",
                problems.toString(), "--out", out.toString());
        assertEquals(0, sqa.code(), sqa.err());
        // 1 right ("B" = y); 2 answered "y" (option B) but the answer is C → 1/2; problem 3 has no image: skipped.
        assertEquals(0.5, json(out).get("accuracy").getAsDouble(), 1e-12);
        assertEquals(1, json(out).getAsJsonObject("skipped").getAsJsonObject(problems.toString()).get("no image")
                .getAsInt());

        Path seed = write("seed.json", """
                {"questions": [{"question_id": "7", "question": "Q?", "choice_a": "a", "choice_b": "b",
                  "choice_c": "c", "choice_d": "d", "answer": "D", "data_type": "image", "question_type_id": 1,
                  "data_id": "x.jpg"}], "question_type": {"Scene Understanding": 1}}
                """);
        Path seedPreds = write("seed.jsonl", "{\"question_id\": \"7\", \"text\": \"(D)\"}\n");
        CliRun s = CliRun.of("score", "--benchmark", "seed", "--predictions", seedPreds.toString(), "--data",
                seed.toString(), "--out", out.toString());
        // Official (convert_seed_for_submission.py): the string id "7" never answers question 7, which the script
        // looks up as int 7; nothing is answered, which is an error rather than a 0.0. Lenient: "(D)" reads D → 1.
        assertEquals(Main.EXIT_BAD_INPUT, s.code());
        assertTrue(s.err().contains("pairs a numeric SEED id only with a numeric question_id"), s.err());
        CliRun sl = CliRun.of("score", "--benchmark", "seed", "--predictions", seedPreds.toString(), "--data",
                seed.toString(), "--reading", "lenient", "--out", out.toString());
        assertEquals(0, sl.code(), sl.err());
        assertEquals(1.0, json(out).getAsJsonObject("categories").getAsJsonObject("question_type")
                .getAsJsonObject("Scene Understanding").get("accuracy").getAsDouble(), 1e-12);
        Path seedInt = write("seed-int.jsonl", "{\"question_id\": 7, \"text\": \"D\"}\n");
        Path upload = dir.resolve("upload/seed.jsonl");
        CliRun si = CliRun.of("score", "--benchmark", "seed", "--predictions", seedInt.toString(), "--data",
                seed.toString(), "--submission", upload.toString(), "--out", out.toString());
        assertEquals(0, si.code(), si.err());
        // the numeric id answers; official needs the exact letter: "D" → 1
        assertEquals(1.0, json(out).get("accuracy").getAsDouble(), 1e-12);
        assertEquals("{\"question_id\": \"7\", \"prediction\": \"D\"}\n", Files.readString(upload));
        // Nothing answers anything: an error naming the file, not a 0.0
        Path stranger = write("stranger.jsonl", "{\"question_id\": 8, \"text\": \"D\"}\n");
        CliRun none = CliRun.of("score", "--benchmark", "seed", "--predictions", stranger.toString(), "--data",
                seed.toString());
        assertEquals(Main.EXIT_BAD_INPUT, none.code());
        assertTrue(none.err().contains(stranger + ": no answer names a question of the data (1 answers, ids such as "
                + "8"), none.err());
    }

    @Test
    void scienceQaOfficialReadsAsEvalScienceQa() throws IOException {
        StringBuilder problems = new StringBuilder("{");
        for (int i = 1; i <= 8; i++) {
            problems.append(i > 1 ? "," : "").append(String.format("\"%d\": {\"question\": \"Q?\", \"choices\": "
                    + "[\"cat\", \"dog\", \"cow\"], \"answer\": %d, \"image\": \"i.png\", \"split\": \"test\"}",
                    i, i == 2 || i == 3 ? 2 : 1));
        }
        Path data = write("problems.json", problems.append("}").toString());
        // The answer is B (index 1) except for problems 2 and 3 (C). Problem 8 is unanswered.
        Path preds = write("sqa.jsonl", String.join("\n",
                "{\"question_id\": \"1\", \"text\": \"[B]\"}",                                   // lenient only
                "{\"question_id\": \"2\", \"text\": \"The answer is CA.\"}",                     // official: C
                "{\"question_id\": \"3\", \"text\": \"The answer is A.\\nBecause the answer is C.\"}", // off.: A
                "{\"question_id\": \"4\", \"text\": \"B. dog\"}",                                // both
                "{\"question_id\": \"5\", \"text\": \"dog\"}",                                   // lenient only
                "{\"question_id\": \"6\", \"text\": \"The answer is\\nB.\"}",                  // lenient only
                "{\"question_id\": \"7\", \"text\": \"B\"}") + "\n");                             // both
        Path out = dir.resolve("S.json");
        CliRun off = CliRun.of("score", "--benchmark", "sqa", "--predictions", preds.toString(), "--data",
                data.toString(), "--out", out.toString());
        assertEquals(0, off.code(), off.err());
        JsonObject s = json(out);
        // official: right 2 (C), 4, 7 of the 7 answered; 8 left out of IMG-Accuracy, counted wrong in the other
        assertEquals(7, s.get("questions").getAsInt());
        assertEquals(3.0 / 7, s.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(3.0 / 8, s.get("accuracy_missing_wrong").getAsDouble(), 1e-12);
        assertEquals("official", s.get("reading").getAsString());
        assertTrue(off.out().contains("score sqa (official reading): 7 questions"), off.out());
        assertTrue(off.out().contains("unanswered (left out of accuracy"), off.out());
        CliRun len = CliRun.of("score", "--benchmark", "sqa", "--predictions", preds.toString(), "--data",
                data.toString(), "--reading", "lenient", "--out", out.toString());
        assertEquals(0, len.code(), len.err());
        // lenient: right 1, 4, 5, 6, 7; 2 reads nothing ("CA"), 3 reads two letters; 8 counted wrong → 5 / 8
        assertEquals(8, json(out).get("questions").getAsInt());
        assertEquals(5.0 / 8, json(out).get("accuracy").getAsDouble(), 1e-12);
    }

    @Test
    void textVqaPairsLlavasAnswerFileByImageAndQuestion() throws IOException {
        Path ann = write("TextVQA.json", """
                {"data": [
                  {"question_id": 11, "image_id": "abc", "question": "What brand?", "answers": ["nike", "nike",
                    "nike", "nike", "nike", "nike", "nike", "nike", "nike", "nike"]},
                  {"question_id": 12, "image_id": "abc", "question": "What number?", "answers": ["7", "7", "7", "7",
                    "7", "7", "7", "7", "7", "seven"]}]}
                """);
        Path preds = write("llava.jsonl", """
                {"question_id": "abc", "prompt": "What Brand?\\nReference OCR token: NIKE\\nAnswer.", "text": "Nike"}
                {"question_id": "abc", "prompt": "what number?\\nAnswer.", "text": "seven"}
                """);
        Path out = dir.resolve("S.json");
        CliRun run = CliRun.of("score", "--benchmark", "textvqa", "--predictions", preds.toString(),
                "--annotations", ann.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonObject s = json(out);
        assertEquals("image_id+question", s.get("pairing").getAsString());
        // nike: 1; "seven" → "7": nine 7s (after processing all ten are "7") → 1. Mean 1.
        assertEquals(1.0, s.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(0, s.get("unanswered").getAsInt());

        Path none = write("none.jsonl", "{\"question_id\": \"zzz\", \"prompt\": \"Q?\\nA\", \"text\": \"x\"}\n");
        CliRun bad = CliRun.of("score", "--benchmark", "textvqa", "--predictions", none.toString(),
                "--annotations", ann.toString());
        assertEquals(Main.EXIT_BAD_INPUT, bad.code());
        assertTrue(bad.err().strip().startsWith("infllava score: " + none + ": no answer pairs with a question of "
                + ann), bad.err());
    }

    @Test
    void mmbenchTestSplitWritesTheSubmissionAndScoresNothing() throws IOException {
        Path tsv = write("mmbench_test.tsv", "index\tquestion\thint\tA\tB\tC\tD\tcategory\n"
                + "3\tWhich?\tnan\tcat\tdog\tnan\tnan\tanimals\n"
                + "4\tWhich?\tnan\tred\tblue\tnan\tnan\tcolours\n");
        Path preds = write("answers.jsonl", "{\"question_id\": 3, \"text\": \"B\"}\n");
        Path xlsx = dir.resolve("test.xlsx");
        CliRun run = CliRun.of("score", "--benchmark", "mmbench", "--predictions", preds.toString(), "--data",
                tsv.toString(), "--submission", xlsx.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("wrote " + xlsx + " (the leaderboard's submission file)"), run.out());
        assertFalse(run.out().contains("accuracy"), run.out());
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(xlsx.toFile())) {
            String sheet = new String(z.getInputStream(z.getEntry("xl/worksheets/sheet1.xml")).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            // index, question, A, B, C, D (all empty: numeric NaN), prediction: question 3 answered B, 4 not
            assertTrue(sheet.contains("<c r=\"A2\"><v>3</v></c>"), sheet);
            assertTrue(sheet.contains("<c r=\"G2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">B</t>"), sheet);
            assertFalse(sheet.contains("r=\"G3\""), sheet);
        }
        CliRun noSub = CliRun.of("score", "--benchmark", "mmbench", "--predictions", preds.toString(), "--data",
                tsv.toString());
        assertEquals(Main.EXIT_BAD_INPUT, noSub.code());
        assertTrue(noSub.err().contains("--submission out.xlsx"), noSub.err());
    }

    @Test
    void readingAndSubmissionOptionsAreChecked() throws IOException {
        Path preds = write("answers.jsonl", "{\"question_id\": 1, \"text\": \"Yes\"}\n");
        CliRun reading = CliRun.of("score", "--benchmark", "pope", "--predictions", preds.toString(), "--data",
                popeData().toString(), "--reading", "strict");
        assertEquals(Main.EXIT_BAD_INPUT, reading.code());
        assertTrue(reading.err().contains("reading must be official or lenient, got 'strict'"), reading.err());
        CliRun sub = CliRun.of("score", "--benchmark", "pope", "--predictions", preds.toString(), "--data",
                popeData().toString(), "--submission", dir.resolve("x.xlsx").toString());
        assertEquals(Main.EXIT_BAD_INPUT, sub.code());
        assertTrue(sub.err().contains("--submission does not apply to --benchmark pope"), sub.err());
    }

    @Test
    void hasHelp() {
        CliRun run = CliRun.of("score", "--help");
        assertEquals(0, run.code());
        assertTrue(run.out().contains("Usage: infllava score"), run.out());
        assertTrue(run.out().contains("--circular"), run.out());
    }
}
