package org.infllava.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.eval.MultipleChoice;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScienceQaFileTest {

    @TempDir
    Path dir;

    static final String PROBLEMS = """
            {
             "5": {"question": "Which is a mammal?", "choices": ["frog", "whale", "shark"], "answer": 1,
                   "hint": "", "image": "image.png", "split": "test", "subject": "natural science",
                   "grade": "grade4", "category": "Classification"},
             "6": {"question": "Which word is a noun?", "choices": ["run", "table"], "answer": 1, "hint": "",
                   "image": null, "split": "test", "subject": "language science", "grade": "grade2"},
             "7": {"question": "Which country is highlighted?", "choices": ["Fiji", "Tonga"], "answer": 0,
                   "hint": "Look at the map.", "image": "image.png", "split": "train", "subject": "social science",
                   "grade": "grade8"},
             "8": {"question": "Broken?", "choices": ["a", "b"], "answer": 2, "image": "image.png", "split": "test"},
             "9": {"question": "Also broken", "answer": 0, "image": "image.png", "split": "test"},
             "10": {"question": "Which is hotter?", "choices": ["ice", "fire"], "answer": 1,
                   "image": "image.png", "split": "test", "subject": "natural science", "grade": "grade11"}
            }
            """;

    @Test
    void keepsImageQuestionsWithTheirImagePaths() throws IOException {
        Path f = Files.writeString(dir.resolve("problems.json"), PROBLEMS);
        ScienceQaFile s = ScienceQaFile.read(f, dir.resolve("images"), LoadOptions.defaults());
        assertEquals(List.of("5", "7", "10"), s.problems().stream().map(ScienceQaFile.Problem::id).toList());
        ScienceQaFile.Problem p = s.problems().get(0);
        assertEquals(dir.resolve("images/test/5/image.png"), p.image());
        assertEquals(List.of("frog", "whale", "shark"), p.choices());
        assertEquals(1, p.answer());
        assertEquals("Look at the map.", s.problems().get(1).hint());
        LoadReport r = s.report();
        assertEquals(6, r.rows());
        assertEquals(Map.of("no image", 1), r.skipped());
        assertEquals(Map.of("answer out of range", 1, "missing field 'choices'", 1), r.malformed());
        assertEquals("problem 8: answer out of range (2 of 2 choices)", r.firstProblems().get(0));
        // The test split's items: 5 (grade 4) and 10 (grade 11), grouped by subject and grade band.
        List<MultipleChoice.Item> items = s.items("test");
        assertEquals(List.of("5", "10"), items.stream().map(MultipleChoice.Item::id).toList());
        assertEquals(Map.of("subject", "natural science", "grades", "1-6"), items.get(0).groups());
        assertEquals("7-12", items.get(1).groups().get("grades"));
    }

    @Test
    void strictNamesTheProblem() throws IOException {
        Path f = Files.writeString(dir.resolve("problems.json"), PROBLEMS);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ScienceQaFile.read(f, dir, LoadOptions.builder().strict(true).build()));
        assertEquals(f + ": problem 8: answer out of range (2 of 2 choices)", e.getMessage());
        Path notJson = Files.writeString(dir.resolve("bad.json"), "{\"5\": ");
        assertThrows(InvalidInputException.class, () -> ScienceQaFile.read(notJson, dir, LoadOptions.defaults()));
    }
}
