package org.infllava.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.infllava.data.LlavaDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HiResSynthTest {

    @TempDir
    Path dir;

    @Test
    void sameSeedSameBytesOtherSeedOtherData() throws IOException {
        HiResSynth.write(dir.resolve("a"), 10, 96, 7);
        HiResSynth.write(dir.resolve("b"), 10, 96, 7);
        HiResSynth.write(dir.resolve("c"), 10, 96, 8);
        for (String f : List.of("train.json", "val.json", "test.json", "scenes.jsonl", "images/hires-000003.png")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)), f);
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a/train.json")),
                Files.readAllBytes(dir.resolve("c/train.json"))));
    }

    /** Every answer, recomputed by the checker from the stored scene and arguments, and splits of 80/10/10 per task. */
    @Test
    void checkerAgreesWithEveryAnswerAndEveryTaskIsThere() throws IOException {
        HiResSynth.write(dir, 20, 96, 3);
        Gson gson = new Gson();
        Map<String, Integer> perTask = new HashMap<>();
        Map<String, Integer> existsAnswers = new HashMap<>();
        Map<String, Integer> checkeredAnswers = new HashMap<>();
        Map<String, Integer> negatives = new HashMap<>();
        int rows = 0;
        for (String split : List.of("train", "val", "test")) {
            JsonArray arr = JsonParser.parseString(Files.readString(dir.resolve(split + ".json"))).getAsJsonArray();
            for (JsonElement e : arr) {
                JsonObject row = e.getAsJsonObject();
                Scene scene = gson.fromJson(row.get("scene"), Scene.class);
                Map<String, String> args = gson.fromJson(row.get("question_args"),
                        new TypeToken<Map<String, String>>() { }.getType());
                String task = row.get("task").getAsString();
                String answer = row.getAsJsonArray("conversations").get(1).getAsJsonObject().get("value").getAsString();
                assertEquals(Checker.answer(scene, task, args), answer, row.get("id").getAsString());
                perTask.merge(task + "/" + split, 1, Integer::sum);
                if (task.equals("exists")) {
                    existsAnswers.merge(answer, 1, Integer::sum);
                    negatives.merge(args.get("negative"), 1, Integer::sum);
                }
                if (task.equals("checkered")) {
                    checkeredAnswers.merge(answer, 1, Integer::sum);
                }
                rows++;
            }
        }
        assertEquals(20 * 7, rows);
        for (String task : HiResSynth.TASKS) {
            assertEquals(16, perTask.get(task + "/train"), task);
            assertEquals(2, perTask.get(task + "/val"), task);
            assertEquals(2, perTask.get(task + "/test"), task);
        }
        // POPE-style: yes and no in turn (20 single-question rows: 10 each), and negatives of more than one kind.
        assertEquals(Map.of("yes", 10, "no", 10), existsAnswers);
        assertEquals(Map.of("yes", 10, "no", 10), checkeredAnswers);
        assertTrue(negatives.keySet().size() >= 3, negatives.toString()); // positive + at least two negative kinds
        // The files load as a LLaVA dataset with every row usable.
        assertEquals(16 * 7, LlavaDataset.load(dir.resolve("train.json"), dir, true).rows().size());
    }

    /**
     * Multi-turn training rows: one conversation per scene asking one question of each task (in a shuffled order),
     * every answer checked; the image once, after the first question when asked; test rows stay single questions.
     */
    @Test
    void multiTurnTrainingRowsAskEveryTaskAndEveryAnswerChecks() throws IOException {
        HiResSynth.builder().optSplits(12, 0, 3).optSize(84).optSeed(4).optMultiTurnTrain(true).optImageFirst(false)
                .build().write(dir);
        Gson gson = new Gson();
        JsonArray train = JsonParser.parseString(Files.readString(dir.resolve("train.json"))).getAsJsonArray();
        assertEquals(12, train.size());
        int turns = 0;
        for (JsonElement e : train) {
            JsonObject row = e.getAsJsonObject();
            Scene scene = gson.fromJson(row.get("scene"), Scene.class);
            JsonArray conv = row.getAsJsonArray("conversations");
            JsonArray qs = row.getAsJsonArray("questions");
            assertEquals(2 * qs.size(), conv.size());
            java.util.Set<String> tasks = new java.util.HashSet<>();
            for (int k = 0; k < qs.size(); k++) {
                JsonObject q = qs.get(k).getAsJsonObject();
                Map<String, String> args = gson.fromJson(q.get("args"), new TypeToken<Map<String, String>>() { }
                        .getType());
                String answer = conv.get(2 * k + 1).getAsJsonObject().get("value").getAsString();
                assertEquals(Checker.answer(scene, q.get("task").getAsString(), args), answer);
                assertEquals(q.get("answer").getAsString(), answer);
                String human = conv.get(2 * k).getAsJsonObject().get("value").getAsString();
                assertEquals(k == 0, human.contains("<image>"), human);
                assertTrue(k > 0 || human.endsWith("\n<image>"), human);
                tasks.add(q.get("task").getAsString());
            }
            assertEquals(qs.size(), tasks.size(), "one question per task");
            assertTrue(qs.size() >= 3, "scenes offer most tasks: " + tasks);
            turns += qs.size();
        }
        assertTrue(turns >= 12 * 4, "about five questions per scene, got " + turns);
        JsonArray test = JsonParser.parseString(Files.readString(dir.resolve("test.json"))).getAsJsonArray();
        assertEquals(3 * HiResSynth.TASKS.size(), test.size());
        for (JsonElement e : test) {
            assertEquals(2, e.getAsJsonObject().getAsJsonArray("conversations").size());
        }
        assertEquals(12, LlavaDataset.load(dir.resolve("train.json"), dir, true).rows().size());
    }

    @Test
    void unknownTasksAndEmptySplitsAreRejectedByName() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.infllava.io.InvalidInputException.class,
                () -> HiResSynth.builder().optTasks(List.of("glyph", "colours")).build());
        assertTrue(e.getMessage().contains("'colours'"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(org.infllava.io.InvalidInputException.class,
                () -> HiResSynth.builder().optSplits(0, 0, 1).build());
        assertTrue(e.getMessage().contains("train=0"), e.getMessage());
    }

    /**
     * The same scene drawn at 96 and 384 px puts each object's fill at its cell centre in both: the plain fill is
     * the half-way blend of the colour and white, {@code (c + 255 + 1) / 2} per channel (red 210, 30, 30 -> 233, 143,
     * 143); a checkered shape has its colour where x + y is even and white where it is odd.
     */
    @Test
    void scenesRenderAtAnyResolution() {
        Random r = new Random(5);
        int checkered = 0;
        for (int k = 0; k < 6; k++) {
            Scene s = HiResSynth.scene(r);
            for (int size : new int[] {96, 384}) {
                BufferedImage img = s.render(size);
                double cell = (double) size / s.cells();
                for (Scene.Item o : s.objects()) {
                    if (o.shape() == Scene.Shape.SQUARE || o.shape() == Scene.Shape.DISC) {
                        int x = (int) ((o.col() + 0.5) * cell);
                        int y = (int) ((o.row() + 0.5) * cell);
                        int c = o.hue().rgb.getRGB() & 0xFFFFFF;
                        int plain = blend(c >> 16) << 16 | blend((c >> 8) & 0xFF) << 8 | blend(c & 0xFF);
                        for (int dy = 0; dy < 2; dy++) {
                            int expected = !o.checkered() ? plain : (x + y + dy) % 2 == 0 ? c : 0xFFFFFF;
                            assertEquals(expected, img.getRGB(x, y + dy) & 0xFFFFFF, o + " at " + size);
                        }
                        checkered += o.checkered() ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(checkered > 0, "some scene of six has a checkered square or disc");
    }

    private static int blend(int c) {
        return (c + 255 + 1) / 2;
    }

    /**
     * The checkerboard is fine detail: at native scale a checkered shape differs from the plain one by about half
     * its colour's distance from white at every pixel, but the low-resolution view (3× PIL-bicubic downsampling, as
     * the LLaVA-1.5 row sees the scene) leaves at most a few levels of difference — the blend is the checkerboard's
     * mean, so only the antialiasing filter's tiny response at the pixel frequency survives.
     */
    @Test
    void theCheckerboardVanishesInTheLowResolutionView() {
        for (Scene.Shape shape : new Scene.Shape[] {Scene.Shape.SQUARE, Scene.Shape.DISC, Scene.Shape.TRIANGLE}) {
            for (Scene.Hue hue : Scene.Hue.values()) {
                Scene plain = new Scene(6, List.of(new Scene.Item(shape, hue, 2, 3, (char) 0, false)));
                Scene checked = new Scene(6, List.of(new Scene.Item(shape, hue, 2, 3, (char) 0, true)));
                int native84 = maxChannelDifference(plain.render(84), checked.render(84));
                int low = maxChannelDifference(org.infllava.crop.ClipPreprocessor.resize(plain.render(84), 28, 28),
                        org.infllava.crop.ClipPreprocessor.resize(checked.render(84), 28, 28));
                assertTrue(native84 >= 50, shape + " " + hue + " at 84 px differs by " + native84);
                assertTrue(low <= 8, shape + " " + hue + " at 28 px differs by " + low);
            }
        }
    }

    private static int maxChannelDifference(BufferedImage a, BufferedImage b) {
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    max = Math.max(max, Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF)));
                }
            }
        }
        return max;
    }
}
