package org.infllava.data.synth;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.infllava.data.synth.Scene.Hue;
import org.infllava.data.synth.Scene.Item;
import org.infllava.data.synth.Scene.Shape;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;

/**
 * HiResSynth: a seeded generator of high-resolution scenes whose questions need fine detail (small glyphs and
 * objects) and global layout (regions, relations). Tasks: {@code glyph} (read the glyph in a region), {@code count}
 * (how many of a kind), {@code relation} (left of / above), {@code exists} (POPE-style yes/no with random, popular and
 * adversarial negatives, balanced), {@code colour} (colour of the object in a region). Fine-detail tasks:
 * {@code glyph}, {@code count}, {@code exists}.
 *
 * <p>Every sample is stored with its scene description; {@link Checker} recomputes each answer from it. Output is
 * LLaVA JSON per split plus PNGs and {@code scenes.jsonl}.
 */
public final class HiResSynth {

    /** Task ids. */
    public static final List<String> TASKS = List.of("glyph", "count", "relation", "exists", "colour");

    /** The tasks that need fine detail. */
    public static final List<String> FINE_DETAIL = List.of("glyph", "count", "exists");

    private static final String GLYPHS = "ABCDEFHKLMNPRTUVXY2345678";
    private static final Shape[] SMALL = {Shape.SQUARE, Shape.DISC, Shape.TRIANGLE};

    /**
     * One question about a scene.
     *
     * @param task task id
     * @param question the question text
     * @param answer the expected answer (one word)
     * @param args the task's arguments (region, shape, hue, negative type, ...)
     */
    public record Question(String task, String question, String answer, Map<String, String> args) {}

    private HiResSynth() {}

    /** A random scene: 6×6 layout, 7-12 small objects in distinct cells, 3-5 of them glyph tiles. */
    public static Scene scene(Random r) {
        int cells = 6;
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < cells * cells; i++) {
            free.add(i);
        }
        java.util.Collections.shuffle(free, r);
        int n = 7 + r.nextInt(6);
        int glyphs = 3 + r.nextInt(3);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int cell = free.get(i);
            Hue hue = Hue.values()[r.nextInt(Hue.values().length)];
            if (i < glyphs) {
                items.add(new Item(Shape.GLYPH, hue, cell / cells, cell % cells, GLYPHS.charAt(r.nextInt(GLYPHS.length()))));
            } else {
                items.add(new Item(SMALL[r.nextInt(SMALL.length)], hue, cell / cells, cell % cells, (char) 0));
            }
        }
        return new Scene(cells, items);
    }

    /** A question of {@code task} about {@code s}, or {@code null} when the scene offers none. */
    public static Question question(Scene s, String task, Random r) {
        return switch (task) {
            case "glyph" -> glyph(s, r);
            case "count" -> count(s, r);
            case "relation" -> relation(s, r);
            case "exists" -> exists(s, r);
            case "colour" -> colour(s, r);
            default -> throw new IllegalArgumentException("unknown task '" + task + "'; tasks: " + TASKS);
        };
    }

    private static Question glyph(Scene s, Random r) {
        List<Item> unique = uniqueInRegion(s, true);
        if (unique.isEmpty()) {
            return null;
        }
        Item g = unique.get(r.nextInt(unique.size()));
        String region = g.region(s.cells());
        return new Question("glyph", "What character is on the tile in the " + region + "?",
                String.valueOf(g.glyph()).toLowerCase(java.util.Locale.ROOT), Map.of("region", region));
    }

    private static Question count(Scene s, Random r) {
        Shape shape = SMALL[r.nextInt(SMALL.length)];
        long n = s.objects().stream().filter(o -> o.shape() == shape).count();
        String word = shape.name().toLowerCase(java.util.Locale.ROOT);
        return new Question("count", "How many " + word + "s are there?", String.valueOf(n), Map.of("shape", word));
    }

    private static Question relation(Scene s, Random r) {
        List<Item> distinct = distinctKinds(s);
        if (distinct.size() < 2) {
            return null;
        }
        java.util.Collections.shuffle(distinct, r);
        Item a = distinct.get(0);
        Item b = distinct.get(1);
        boolean horizontal = r.nextBoolean();
        if (horizontal ? a.col() == b.col() : a.row() == b.row()) {
            horizontal = !horizontal;
            if (horizontal ? a.col() == b.col() : a.row() == b.row()) {
                return null;
            }
        }
        String rel = horizontal ? "left of" : "above";
        boolean yes = horizontal ? a.col() < b.col() : a.row() < b.row();
        return new Question("relation", "Is the " + a.hue().word() + " " + a.shapeWord() + " " + rel + " the "
                + b.hue().word() + " " + b.shapeWord() + "?", yes ? "yes" : "no",
                Map.of("a", a.hue().word() + " " + a.shapeWord(), "b", b.hue().word() + " " + b.shapeWord(),
                        "relation", rel));
    }

    private static Question exists(Scene s, Random r) {
        boolean positive = r.nextBoolean();
        List<Item> small = s.objects().stream().filter(o -> o.shape() != Shape.GLYPH).toList();
        if (positive) {
            if (small.isEmpty()) {
                return null;
            }
            Item o = small.get(r.nextInt(small.size()));
            return existsQuestion(o.hue(), o.shape(), "yes", "positive");
        }
        String[] kinds = {"random", "popular", "adversarial"};
        String kind = kinds[r.nextInt(3)];
        for (int attempt = 0; attempt < 50; attempt++) {
            Hue hue;
            Shape shape;
            switch (kind) {
                case "adversarial" -> { // same shape as a present object, another colour
                    if (small.isEmpty()) {
                        return null;
                    }
                    Item o = small.get(r.nextInt(small.size()));
                    shape = o.shape();
                    hue = Hue.values()[r.nextInt(Hue.values().length)];
                }
                case "popular" -> { // the scene's most frequent colour, in a shape it lacks
                    hue = mostFrequentHue(s);
                    shape = SMALL[r.nextInt(SMALL.length)];
                }
                default -> {
                    hue = Hue.values()[r.nextInt(Hue.values().length)];
                    shape = SMALL[r.nextInt(SMALL.length)];
                }
            }
            Hue h = hue;
            Shape sh = shape;
            if (s.objects().stream().noneMatch(o -> o.hue() == h && o.shape() == sh)) {
                return existsQuestion(hue, shape, "no", kind);
            }
        }
        return null;
    }

    private static Question existsQuestion(Hue hue, Shape shape, String answer, String kind) {
        String what = hue.word() + " " + shape.name().toLowerCase(java.util.Locale.ROOT);
        return new Question("exists", "Is there a " + what + " in the image?", answer,
                Map.of("object", what, "negative", kind));
    }

    private static Question colour(Scene s, Random r) {
        List<Item> unique = uniqueInRegion(s, false);
        if (unique.isEmpty()) {
            return null;
        }
        Item o = unique.get(r.nextInt(unique.size()));
        String region = o.region(s.cells());
        return new Question("colour", "What color is the " + o.shapeWord() + " in the " + region + "?",
                o.hue().word(), Map.of("region", region, "shape", o.shapeWord()));
    }

    /** Objects that are the only one of their shape (glyphs: the only glyph) in their region. */
    private static List<Item> uniqueInRegion(Scene s, boolean glyphs) {
        List<Item> out = new ArrayList<>();
        for (Item o : s.objects()) {
            if ((o.shape() == Shape.GLYPH) != glyphs) {
                continue;
            }
            long same = s.objects().stream().filter(x -> x.shape() == o.shape()
                    && x.region(s.cells()).equals(o.region(s.cells()))).count();
            if (same == 1) {
                out.add(o);
            }
        }
        return out;
    }

    /** Small objects whose colour + shape occurs once. */
    private static List<Item> distinctKinds(Scene s) {
        List<Item> out = new ArrayList<>();
        for (Item o : s.objects()) {
            if (o.shape() != Shape.GLYPH && s.objects().stream().filter(x -> x.shape() == o.shape()
                    && x.hue() == o.hue()).count() == 1) {
                out.add(o);
            }
        }
        return out;
    }

    private static Hue mostFrequentHue(Scene s) {
        Map<Hue, Integer> n = new LinkedHashMap<>();
        for (Item o : s.objects()) {
            n.merge(o.hue(), 1, Integer::sum);
        }
        return n.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /**
     * Writes a dataset: {@code images/}, {@code train.json}, {@code val.json}, {@code test.json} (LLaVA format, each
     * row with {@code task} and {@code scene} fields beside the conversation), and {@code scenes.jsonl}.
     *
     * @param perTask samples per task (split 80/10/10)
     * @param size image side in pixels
     */
    public static void write(Path out, int perTask, int size, long seed) {
        if (perTask < 1 || size < 24) {
            throw new InvalidInputException("HiResSynth needs perTask >= 1 and size >= 24, got " + perTask + ", " + size);
        }
        Random r = new Random(seed);
        Gson gson = new Gson();
        Map<String, JsonArray> splits = new LinkedHashMap<>();
        for (String split : List.of("train", "val", "test")) {
            splits.put(split, new JsonArray());
        }
        StringBuilder scenes = new StringBuilder();
        try {
            Files.createDirectories(out.resolve("images"));
            int id = 0;
            for (String task : TASKS) {
                for (int i = 0; i < perTask; ) {
                    Scene s = scene(r);
                    Question q = question(s, task, r);
                    if (q == null) {
                        continue;
                    }
                    String name = String.format("hires-%06d.png", id);
                    ImageFiles.writePng(s.render(size), out.resolve("images").resolve(name));
                    JsonObject row = new JsonObject();
                    row.addProperty("id", "hires-" + id);
                    row.addProperty("image", "images/" + name);
                    row.addProperty("task", task);
                    JsonArray conv = new JsonArray();
                    JsonObject h = new JsonObject();
                    h.addProperty("from", "human");
                    h.addProperty("value", "<image>\n" + q.question());
                    JsonObject a = new JsonObject();
                    a.addProperty("from", "gpt");
                    a.addProperty("value", q.answer());
                    conv.add(h);
                    conv.add(a);
                    row.add("conversations", conv);
                    row.add("question_args", gson.toJsonTree(q.args()));
                    row.add("scene", gson.toJsonTree(s));
                    String split = i < perTask * 8 / 10 ? "train" : i < perTask * 9 / 10 ? "val" : "test";
                    splits.get(split).add(row);
                    scenes.append(gson.toJson(row.get("scene"))).append('\n');
                    id++;
                    i++;
                }
            }
            for (Map.Entry<String, JsonArray> e : splits.entrySet()) {
                Files.writeString(out.resolve(e.getKey() + ".json"), gson.toJson(e.getValue()), StandardCharsets.UTF_8);
            }
            Files.writeString(out.resolve("scenes.jsonl"), scenes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(out, "cannot write HiResSynth data: " + e.getMessage(), e);
        }
    }
}
