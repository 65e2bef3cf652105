package org.infllava.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedBenchFileTest {

    @TempDir
    Path dir;

    @Test
    void keepsImageQuestionsAndNamesTheirTypes() throws IOException {
        Path f = Files.writeString(dir.resolve("SEED-Bench.json"), """
                {"questions": [
                  {"question_id": "101669", "question": "How many towels?", "choice_a": "One", "choice_b": "Two",
                   "choice_c": "Three", "choice_d": "Four", "answer": "A", "data_type": "image",
                   "question_type_id": 5, "data_id": "1454426_2591111986"},
                  {"question_id": "v1", "question": "What happens next?", "choice_a": "a", "choice_b": "b",
                   "choice_c": "c", "choice_d": "d", "answer": "B", "data_type": "video", "question_type_id": 10,
                   "data_id": "v.mp4"},
                  {"question_id": "101670", "question": "Where?", "choice_a": "a", "choice_b": "b", "choice_c": "c",
                   "choice_d": "d", "answer": "E", "data_type": "image", "question_type_id": 1, "data_id": "x.jpg"},
                  {"question_id": "101671", "question": "Colour?", "choice_a": "red", "choice_b": "blue",
                   "choice_c": "green", "answer": "C", "data_type": "image", "question_type_id": 99,
                   "data_id": "y.jpg"},
                  {"question_id": "101672", "question": "Colour?", "choice_a": "red", "choice_b": "blue",
                   "choice_c": "green", "choice_d": "pink", "answer": "D", "data_type": "image",
                   "question_type_id": 99, "data_id": "y.jpg"}
                ],
                "question_type": {"Scene Understanding": 1, "Instances Counting": 5}}
                """);
        SeedBenchFile s = SeedBenchFile.read(f, dir.resolve("SEED-Bench-image"), LoadOptions.defaults());
        assertEquals(2, s.questions().size());
        SeedBenchFile.Question q = s.questions().get(0);
        assertEquals(new SeedBenchFile.Question("101669", "How many towels?", List.of("One", "Two", "Three", "Four"),
                0, "Instances Counting", dir.resolve("SEED-Bench-image/1454426_2591111986")), q);
        // Type 99 is not in the name table: its id stands in.
        assertEquals(Map.of("question_type", "99"), s.items().get(1).groups());
        assertEquals(3, s.items().get(1).answer());
        assertEquals(Map.of("not an image question", 1), s.report().skipped());
        assertEquals(Map.of("answer is not A-D", 1, "missing field 'choice_d'", 1), s.report().malformed());
        assertEquals("question 101670: answer is not A-D ('E')", s.report().firstProblems().get(0));
    }

    @Test
    void aFileWithoutQuestionsIsAnError() throws IOException {
        Path f = Files.writeString(dir.resolve("x.json"), "{\"items\": []}");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SeedBenchFile.read(f, dir, LoadOptions.defaults()));
        assertEquals(f + ": no \"questions\" list at the top level", e.getMessage());
    }
}
