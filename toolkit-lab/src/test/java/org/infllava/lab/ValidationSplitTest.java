package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validation split: written beside the held-out test split, chosen for scoring by {@code scoreOn}. */
class ValidationSplitTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAndChoiceOfSplit() {
        LabSettings d = LabSettings.defaults();
        assertEquals(60, d.valPerTask());
        assertEquals(LabSettings.TEST, d.scoreOn());
        assertEquals("test.json", d.scoreFile());
        assertEquals(120, d.scorePerTask());
        assertEquals(20, LabSettings.quick().valPerTask());
        LabSettings v = d.toBuilder().optScoreOn(LabSettings.VALIDATION).build();
        assertEquals("val.json", v.scoreFile());
        assertEquals(60, v.scorePerTask());
        assertTrue(v.describe().contains("60 validation questions per task"), v.describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.toBuilder().optScoreOn("dev").build());
        assertTrue(e.getMessage().contains("'dev'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> d.toBuilder().optValPerTask(0).optScoreOn(LabSettings.VALIDATION).build());
    }

    /** 3 validation and 2 test questions per task; exists answers yes and no in turn within each split. */
    @Test
    void writeDataFillsTheValidationSplit() throws IOException {
        LabSettings s = LabSettings.builder().optTrainScenes(4).optValPerTask(3).optTestPerTask(2)
                .optTasks(List.of("glyph", "exists")).optQuestionsPerTask(1).build();
        Path data = Lab.builder().optSettings(s).build().writeData(dir.resolve("data"));
        JsonArray val = JsonParser.parseString(Files.readString(data.resolve("val.json"))).getAsJsonArray();
        JsonArray test = JsonParser.parseString(Files.readString(data.resolve("test.json"))).getAsJsonArray();
        assertEquals(6, val.size());
        assertEquals(4, test.size());
        List<String> valExists = new ArrayList<>();
        for (JsonElement e : val) {
            if (e.getAsJsonObject().get("task").getAsString().equals("exists")) {
                valExists.add(e.getAsJsonObject().getAsJsonArray("conversations").get(1).getAsJsonObject().get("value")
                        .getAsString());
            }
        }
        // the multi-turn training scenes come first; the single-question rows of each task count from the training
        // size (4, even: yes), so validation asks yes, no, yes
        assertEquals(List.of("yes", "no", "yes"), valExists);
    }
}
