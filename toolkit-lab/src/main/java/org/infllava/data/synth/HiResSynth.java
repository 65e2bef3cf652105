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
 * HiResSynth: a seeded generator of high-resolution scenes whose questions need fine detail (small glyphs, textures
 * and objects) and global layout (regions, relations). Tasks: {@code glyph} (read the glyph in a region),
 * {@code count} (how many of a kind), {@code relation} (left of / above), {@code exists} (POPE-style yes/no with
 * random, popular and adversarial negatives, balanced), {@code colour} (colour of the object in a region),
 * {@code checkered} (whether any shape is filled with the one-pixel checkerboard, yes/no, balanced) and
 * {@code checkered-colour} (the colour of the checkered shape). Fine-detail tasks: {@code glyph}, {@code count},
 * {@code exists}, {@code checkered}, {@code checkered-colour}. Half of the scenes have one checkered shape; the
 * checkerboard has the plain fill's mean colour, so only a view at native scale shows it ({@link Scene}).
 *
 * <p>Every sample is stored with its scene description; {@link Checker} recomputes each answer from it. Output is
 * LLaVA JSON per split plus PNGs and {@code scenes.jsonl}.
 */
public final class HiResSynth {

    /** Task ids. */
    public static final List<String> TASKS = List.of("glyph", "count", "relation", "exists", "colour", "checkered",
            "checkered-colour");

    /** The tasks that need fine detail. */
    public static final List<String> FINE_DETAIL = List.of("glyph", "count", "exists", "checkered",
            "checkered-colour");

    /** The yes/no tasks whose validation and test questions alternate yes and no (exactly balanced). */
    public static final List<String> BALANCED = List.of("exists", "checkered");

    /** The characters glyph tiles carry. */
    public static final String GLYPHS = "AEHKMX2357";
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

    /**
     * A random scene: 6×6 layout, 4-7 objects in distinct cells: one glyph tile and 3-6 small shapes; in half of the
     * scenes one of the small shapes is checkered.
     */
    public static Scene scene(Random r) {
        int cells = 6;
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < cells * cells; i++) {
            free.add(i);
        }
        java.util.Collections.shuffle(free, r);
        int n = 4 + r.nextInt(4);
        int glyphs = 1;
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
        if (r.nextBoolean()) {
            int k = 1 + r.nextInt(n - 1);
            Item o = items.get(k);
            items.set(k, new Item(o.shape(), o.hue(), o.row(), o.col(), o.glyph(), true));
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
            case "checkered" -> checkered(s);
            case "checkered-colour" -> checkeredColour(s);
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
        return exists(s, r, r.nextBoolean());
    }

    /** An {@code exists} question whose answer is {@code yes} when {@code positive}, or {@code null}. */
    static Question exists(Scene s, Random r, boolean positive) {
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

    /** The {@code checkered} question about {@code s}: yes when one of its shapes is checkered. */
    private static Question checkered(Scene s) {
        return new Question("checkered", "Is there a checkered shape in the image?",
                s.objects().stream().anyMatch(Item::checkered) ? "yes" : "no", Map.of());
    }

    /** A {@code checkered} question whose answer is {@code yes} when {@code positive}, or {@code null}. */
    static Question checkered(Scene s, boolean positive) {
        Question q = checkered(s);
        return q.answer().equals(positive ? "yes" : "no") ? q : null;
    }

    private static Question checkeredColour(Scene s) {
        return s.objects().stream().filter(Item::checkered).findFirst().map(o -> new Question("checkered-colour",
                "What color is the checkered shape?", o.hue().word(), Map.<String, String>of())).orElse(null);
    }

    /** A yes/no question of a {@link #BALANCED} task with the answer {@code yes} when {@code positive}, or null. */
    static Question balanced(Scene s, String task, Random r, boolean positive) {
        return task.equals("exists") ? exists(s, r, positive) : checkered(s, positive);
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
     * Writes a dataset with single-question rows: {@code builder().optPerTask(perTask).optSize(size).optSeed(seed)
     * .build().write(out)}.
     */
    public static void write(Path out, int perTask, int size, long seed) {
        builder().optPerTask(perTask).optSize(size).optSeed(seed).build().write(out);
    }

    /** A builder of dataset writers. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A configured dataset writer.
     *
     * @param train training questions per task (training scenes when multi-turn)
     * @param val validation questions per task
     * @param test test questions per task
     * @param size image side in pixels
     * @param seed seed of scenes and questions
     * @param tasks the tasks
     * @param multiTurnTrain whether each training scene carries one question of every task as a multi-turn
     *     conversation (as LLaVA's instruction data does) instead of one question per scene
     * @param questionsPerTask questions of each task per multi-turn training scene (distinct questions; fewer when the
     *     scene offers fewer)
     * @param imageFirst whether {@code <image>} comes before the first question (else after it)
     */
    public record Writer(int train, int val, int test, int size, long seed, List<String> tasks, boolean multiTurnTrain,
            int questionsPerTask, boolean imageFirst) {

        /**
         * Writes {@code images/}, {@code train.json}, {@code val.json}, {@code test.json} (LLaVA format; every row
         * also holds {@code scene} and {@code questions} — task, arguments and answer of each of its questions — and
         * single-question rows {@code task} and {@code question_args}), and {@code scenes.jsonl}. Validation and test
         * rows always ask one question.
         */
        public void write(Path out) {
            Random r = new Random(seed);
            Gson gson = new Gson();
            Map<String, JsonArray> splits = new LinkedHashMap<>();
            for (String split : List.of("train", "val", "test")) {
                splits.put(split, new JsonArray());
            }
            StringBuilder scenes = new StringBuilder();
            try {
                Files.createDirectories(out.resolve("images"));
                int[] id = {0};
                if (multiTurnTrain) {
                    for (int i = 0; i < train; ) {
                        Scene s = scene(r);
                        List<String> order = new ArrayList<>();
                        for (int k = 0; k < questionsPerTask; k++) {
                            order.addAll(tasks);
                        }
                        java.util.Collections.shuffle(order, r);
                        List<Question> qs = new ArrayList<>();
                        java.util.Set<String> asked = new java.util.HashSet<>();
                        for (String task : order) {
                            Question q = question(s, task, r);
                            if (q != null && asked.add(q.question())) {
                                qs.add(q);
                            }
                        }
                        if (!qs.isEmpty()) {
                            splits.get("train").add(row(out, s, qs, id, scenes, gson));
                            i++;
                        }
                    }
                }
                for (String task : tasks) {
                    for (int i = multiTurnTrain ? train : 0; i < train + val + test; ) {
                        Scene s = scene(r);
                        // single-question splits ask yes/no tasks with yes and no in turn: exactly balanced
                        Question q = BALANCED.contains(task) ? balanced(s, task, r, i % 2 == 0)
                                : question(s, task, r);
                        if (q == null) {
                            continue;
                        }
                        String split = i < train ? "train" : i < train + val ? "val" : "test";
                        splits.get(split).add(row(out, s, List.of(q), id, scenes, gson));
                        i++;
                    }
                }
                for (Map.Entry<String, JsonArray> e : splits.entrySet()) {
                    Files.writeString(out.resolve(e.getKey() + ".json"), gson.toJson(e.getValue()),
                            StandardCharsets.UTF_8);
                }
                Files.writeString(out.resolve("scenes.jsonl"), scenes, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new InvalidInputException(out, "cannot write HiResSynth data: " + e.getMessage(), e);
            }
        }

        private JsonObject row(Path out, Scene s, List<Question> qs, int[] id, StringBuilder scenes, Gson gson)
                throws IOException {
            String name = String.format("hires-%06d.png", id[0]);
            ImageFiles.writePng(s.render(size), out.resolve("images").resolve(name));
            JsonObject row = new JsonObject();
            row.addProperty("id", "hires-" + id[0]);
            row.addProperty("image", "images/" + name);
            JsonArray conv = new JsonArray();
            JsonArray questions = new JsonArray();
            for (Question q : qs) {
                JsonObject h = new JsonObject();
                h.addProperty("from", "human");
                h.addProperty("value", !conv.isEmpty() ? q.question() : imageFirst ? "<image>\n" + q.question()
                        : q.question() + "\n<image>");
                JsonObject a = new JsonObject();
                a.addProperty("from", "gpt");
                a.addProperty("value", q.answer());
                conv.add(h);
                conv.add(a);
                questions.add(gson.toJsonTree(q));
            }
            if (qs.size() == 1) {
                row.addProperty("task", qs.get(0).task());
                row.add("question_args", gson.toJsonTree(qs.get(0).args()));
            }
            row.add("conversations", conv);
            row.add("questions", questions);
            row.add("scene", gson.toJsonTree(s));
            scenes.append(gson.toJson(row.get("scene"))).append('\n');
            id[0]++;
            return row;
        }
    }

    /** Builder of {@link Writer}. */
    public static final class Builder {
        private int train = 80;
        private int val = 10;
        private int test = 10;
        private int size = 336;
        private long seed = 1;
        private List<String> tasks = TASKS;
        private boolean multiTurnTrain;
        private boolean imageFirst = true;
        private int questionsPerTask = 1;

        private Builder() {}

        /** Questions per task, split 80/10/10 (default 100). */
        public Builder optPerTask(int perTask) {
            this.train = perTask * 8 / 10;
            this.val = perTask * 9 / 10 - train;
            this.test = perTask - train - val;
            return this;
        }

        /** Questions per task in each split (training scenes when multi-turn); replaces {@link #optPerTask}. */
        public Builder optSplits(int train, int val, int test) {
            this.train = train;
            this.val = val;
            this.test = test;
            return this;
        }

        /** Image side in pixels (default 336). */
        public Builder optSize(int size) {
            this.size = size;
            return this;
        }

        /** Seed (default 1). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The tasks (default all of {@link #TASKS}). */
        public Builder optTasks(List<String> tasks) {
            this.tasks = List.copyOf(tasks);
            return this;
        }

        /** One multi-turn conversation with a question of every task per training scene (default false). */
        public Builder optMultiTurnTrain(boolean multiTurnTrain) {
            this.multiTurnTrain = multiTurnTrain;
            return this;
        }

        /** Distinct questions of each task per multi-turn training scene (default 1). */
        public Builder optQuestionsPerTask(int questionsPerTask) {
            this.questionsPerTask = questionsPerTask;
            return this;
        }

        /** Whether {@code <image>} precedes the first question (default true) or follows it. */
        public Builder optImageFirst(boolean imageFirst) {
            this.imageFirst = imageFirst;
            return this;
        }

        /** Validates and builds. */
        public Writer build() {
            if (train < 1 || val < 0 || test < 1 || size < 24) {
                throw new InvalidInputException("HiResSynth needs train >= 1, val >= 0, test >= 1 per task and "
                        + "size >= 24, got train=" + train + ", val=" + val + ", test=" + test + ", size=" + size);
            }
            for (String t : tasks) {
                if (!TASKS.contains(t)) {
                    throw new InvalidInputException("unknown HiResSynth task '" + t + "'; tasks: " + TASKS);
                }
            }
            if (tasks.isEmpty()) {
                throw new InvalidInputException("HiResSynth needs at least one task; tasks: " + TASKS);
            }
            if (questionsPerTask < 1) {
                throw new InvalidInputException("HiResSynth needs questionsPerTask >= 1, got " + questionsPerTask);
            }
            return new Writer(train, val, test, size, seed, tasks, multiTurnTrain, questionsPerTask, imageFirst);
        }
    }
}
