package org.infllava.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqaFilesTest {

    @TempDir
    Path dir;

    @Test
    void questionFileDecidesTheQuestionSet() throws IOException {
        Path q = Files.writeString(dir.resolve("q.json"), """
                {"questions": [{"question_id": 1, "question": "What?", "image_id": 9},
                               {"question_id": 2, "question": "Why?", "image_id": 9},
                               {"question_id": 1, "question": "Again?", "image_id": 9}]}
                """);
        Path a = Files.writeString(dir.resolve("a.json"), """
                {"annotations": [
                  {"question_id": 1, "image_id": 9, "answer_type": "other", "question_type": "what",
                   "answers": [{"answer": "cat", "answer_id": 1}, {"answer": "cat", "answer_id": 2}]},
                  {"question_id": 3, "answers": [{"answer": "x", "answer_id": 1}]},
                  {"question_id": 4, "answers": []},
                  {"question_id": 5}
                ]}
                """);
        VqaFiles v = VqaFiles.read(q, a, LoadOptions.defaults());
        assertEquals(1, v.questions().size());
        VqaFiles.Question q1 = v.questions().get(0);
        assertEquals(new VqaFiles.Question("1", "What?", "9", List.of("cat", "cat"), "other", "what"), q1);
        assertEquals(Map.of("answer_type", "other", "question_type", "what"), v.items().get(0).groups());
        // Question 2 has no annotation, question 1 is listed twice.
        assertEquals(Map.of("no annotation", 1, "duplicate question_id", 1), v.questionsReport().malformed());
        // Annotation 3 is not asked; 4 and 5 have no answers.
        assertEquals(Map.of("not in the question file", 1), v.annotationsReport().skipped());
        assertEquals(Map.of("no answers", 1, "missing field 'answers'", 1), v.annotationsReport().malformed());
    }

    @Test
    void textVqaFormatWithoutQuestionFile() throws IOException {
        Path a = Files.writeString(dir.resolve("TextVQA_val.json"), """
                {"dataset_name": "textvqa", "data": [
                  {"question_id": 34602, "question": "what brand?", "image_id": "003a8ae2ef43b901",
                   "answers": ["nous les gosses", "dakota", "nous les gosses"]}]}
                """);
        VqaFiles v = VqaFiles.read(null, a, LoadOptions.defaults());
        assertNull(v.questionsReport());
        VqaFiles.Question q = v.questions().get(0);
        assertEquals("what brand?", q.question());
        assertEquals(List.of("nous les gosses", "dakota", "nous les gosses"), q.answers());
        assertEquals(Map.of(), v.items().get(0).groups());
        Path neither = Files.writeString(dir.resolve("x.json"), "{\"rows\": []}");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> VqaFiles.read(null, neither, LoadOptions.defaults()));
        assertEquals(neither + ": no \"annotations\" (VQA) or \"data\" (TextVQA) list at the top level",
                e.getMessage());
    }
}
