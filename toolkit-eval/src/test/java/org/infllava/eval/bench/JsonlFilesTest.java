package org.infllava.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON-lines formats: LLaVA answer files, POPE files, LLaVA question files. */
class JsonlFilesTest {

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void answerFileCountsMalformedRowsByReason() throws IOException {
        Path f = write("answers.jsonl",
                "{\"question_id\": 1, \"prompt\": \"p\", \"text\": \"Yes\", \"model_id\": \"m\"}",
                "{\"question_id\": 2, \"text\": ",
                "",
                "{\"question_id\": \"3\"}",
                "{\"question_id\": 1, \"text\": \"No\"}",
                "[1, 2]",
                "{\"question_id\": \"abc\", \"text\": 5}");
        AnswerFile a = AnswerFile.read(f, LoadOptions.defaults());
        // Numbers and strings are both ids; the first answer of a repeated id is kept; a number is text.
        assertEquals(Map.of("1", "Yes", "abc", "5"), a.answers());
        LoadReport r = a.report();
        assertEquals(6, r.rows(), "the blank line is not a row");
        assertEquals(2, r.kept());
        assertEquals(Map.of("bad json", 2, "missing field 'text'", 1, "duplicate question_id", 1), r.malformed());
        assertEquals(4, r.malformedCount());
        assertEquals("line 2: bad json", r.firstProblems().get(0));
        assertEquals("line 4: missing field 'text'", r.firstProblems().get(1));
        assertTrue(r.summary().startsWith("2 of 6 rows kept; malformed: 2 bad json"), r.summary());
    }

    @Test
    void strictStopsAtTheFirstMalformedRowNamingFileAndLine() throws IOException {
        Path f = write("answers.jsonl", "{\"question_id\": 1, \"text\": \"Yes\"}", "{\"text\": \"No\"}");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> AnswerFile.read(f, LoadOptions.builder().strict(true).build()));
        assertEquals(f + ": line 2: missing field 'question_id'", e.getMessage());
        assertEquals(f, e.file());
        InvalidInputException missing = assertThrows(InvalidInputException.class,
                () -> AnswerFile.read(dir.resolve("nope.jsonl"), LoadOptions.defaults()));
        assertTrue(missing.getMessage().endsWith("nope.jsonl: no such file"), missing.getMessage());
    }

    @Test
    void popeFileReadsLabelsAndCategories() throws IOException {
        Path f = write("pope.jsonl",
                "{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"Is there a dog?\", \"label\": \"yes\", "
                        + "\"category\": \"random\"}",
                "{\"question_id\": 2, \"image\": \"b.jpg\", \"text\": \"Is there a cat?\", \"label\": \"No\"}",
                "{\"question_id\": 3, \"image\": \"c.jpg\", \"text\": \"Is there a cow?\", \"label\": \"maybe\"}",
                "{\"question_id\": 4, \"image\": \"d.jpg\", \"text\": \"Is there a bus?\"}",
                "{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"again\", \"label\": \"no\"}");
        PopeFile p = PopeFile.read(f, LoadOptions.defaults());
        assertEquals(2, p.questions().size());
        assertEquals(new PopeFile.Question("1", "a.jpg", "Is there a dog?", true, "random"), p.questions().get(0));
        assertFalse(p.questions().get(1).yes(), "labels are read case-insensitively");
        assertEquals(Map.of("category", "random"), p.items().get(0).groups());
        assertEquals(Map.of(), p.items().get(1).groups());
        assertEquals(Map.of("label is neither yes nor no", 1, "missing field 'label'", 1, "duplicate question_id", 1),
                p.report().malformed());
        assertEquals("line 3: label is neither yes nor no ('maybe')", p.report().firstProblems().get(0));
    }

    @Test
    void llavaQuestionFile() throws IOException {
        Path f = write("questions.jsonl",
                "\uFEFF{\"question_id\": 10, \"image\": \"x.png\", \"text\": \"What is it?\", \"category\": \"conv\"}",
                "{\"question_id\": 11, \"image\": \"y.png\", \"text\": \"Describe.\"}",
                "{\"question_id\": 12, \"text\": \"No image.\"}");
        LlavaQuestionFile q = LlavaQuestionFile.read(f, LoadOptions.defaults());
        assertEquals(List.of(new LlavaQuestionFile.Question("10", "x.png", "What is it?", "conv"),
                new LlavaQuestionFile.Question("11", "y.png", "Describe.", null)), q.questions());
        assertEquals(Map.of("missing field 'image'", 1), q.report().malformed());
    }
}
