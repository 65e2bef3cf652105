package org.infllava.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.infllava.data.synth.HiResSynth;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HiResSynth's exists questions as a POPE file: what notebook 06 scores with the POPE scorer. */
class PopeFileHiResSynthTest {

    @TempDir
    Path dir;

    @Test
    void existsRowsBecomePopeQuestionsAndSurviveAWriteReadRoundTrip() throws IOException {
        HiResSynth.write(dir.resolve("data"), 4, 84, 11);
        Path test = dir.resolve("data").resolve("test.json");

        // expected, read straight from the file: the exists rows, their ids and answers
        List<String> ids = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(test)).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("task").getAsString().equals("exists")) {
                ids.add(o.get("id").getAsString());
                labels.add(o.getAsJsonArray("conversations").get(1).getAsJsonObject().get("value").getAsString()
                        .equals("yes"));
            }
        }
        assertFalse(ids.isEmpty(), "the split has exists rows");

        List<PopeFile.Question> qs = PopeFile.fromHiResSynth(test);
        assertEquals(ids, qs.stream().map(PopeFile.Question::id).toList());
        assertEquals(labels, qs.stream().map(PopeFile.Question::yes).toList());
        for (PopeFile.Question q : qs) {
            assertFalse(q.text().contains("<image>"), q.text());
            assertTrue(Files.isRegularFile(dir.resolve("data").resolve(q.image())), q.image());
            assertEquals("hires", q.category());
        }

        Path pope = dir.resolve("out").resolve("pope.jsonl");
        PopeFile.write(qs, pope);
        PopeFile back = PopeFile.read(pope, LoadOptions.defaults());
        assertEquals(qs, back.questions());
        assertEquals(qs.size(), Files.readAllLines(pope).size());
        try (var files = Files.list(pope.getParent())) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void aFileThatIsNotAListOfRowsIsRejectedByName() throws IOException {
        Path bad = Files.writeString(dir.resolve("test.json"), "{\"id\": 1}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PopeFile.fromHiResSynth(bad));
        assertTrue(e.getMessage().contains("test.json"), e.getMessage());
        Path row = Files.writeString(dir.resolve("rows.json"), "[{\"id\": \"a\", \"task\": \"exists\"}]");
        e = assertThrows(InvalidInputException.class, () -> PopeFile.fromHiResSynth(row));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }
}
