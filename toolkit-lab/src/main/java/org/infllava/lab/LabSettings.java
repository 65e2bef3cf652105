package org.infllava.lab;

import java.util.List;
import org.infllava.data.synth.HiResSynth;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.LlamaConfig;

/**
 * Everything one lab run depends on. Built by {@link #builder()}; {@link #defaults()} and {@link #quick()} are the
 * demo's two budgets.
 *
 * @param seed seed of the data, every initialisation and every batch order
 * @param trainScenes training scenes (each asks one question of every task when {@code multiTurn})
 * @param testPerTask test questions per task
 * @param valPerTask validation questions per task (settings are chosen on these; the test split stays held out)
 * @param scoreOn the split the rows are scored on: {@code test} or {@code validation}
 * @param sceneSize side of the scenes in pixels
 * @param grid DCM grid per side; {@code sceneSize} must be {@code grid ×} the tower's image size
 * @param tasks the HiResSynth tasks
 * @param multiTurn one multi-turn conversation per training scene (else one question per scene)
 * @param questionsPerTask questions of each task per training scene when {@code multiTurn}
 * @param imageFirst whether the image precedes the question (LLaVA's usual order) or follows it
 * @param tower the tiny vision tower
 * @param towerSteps stage-0 steps
 * @param llm the tiny LLaMA ({@code vocabSize} is replaced by the lab's tokenizer's)
 * @param steps training steps per model
 * @param batchSize conversations per step
 * @param lr peak learning rate (warm-up 5 %, cosine to 10 %)
 * @param control whether every test question is also asked with another scene's image
 */
public record LabSettings(long seed, int trainScenes, int testPerTask, int valPerTask, String scoreOn, int sceneSize, int grid, List<String> tasks,
        boolean multiTurn, int questionsPerTask, boolean imageFirst, ClipVisionConfig tower, int towerSteps, LlamaConfig llm, int steps, int batchSize,
        double lr, boolean control) {

    /** Validates, naming the values. */
    public LabSettings {
        tasks = List.copyOf(tasks);
        scoreOn = scoreOn == null ? TEST : scoreOn;
        if (!scoreOn.equals(TEST) && !scoreOn.equals(VALIDATION)) {
            throw new IllegalArgumentException("scoreOn must be '" + TEST + "' or '" + VALIDATION + "', got '" + scoreOn
                    + "'");
        }
        if (valPerTask < 0 || (scoreOn.equals(VALIDATION) && valPerTask < 1)) {
            throw new IllegalArgumentException("valPerTask must be >= 0 (>= 1 to score on validation), got "
                    + valPerTask);
        }
        if (sceneSize != grid * tower.imageSize()) {
            throw new IllegalArgumentException("sceneSize (" + sceneSize + ") must be grid (" + grid + ") x the tower's "
                    + "image size (" + tower.imageSize() + ")");
        }
        if (trainScenes < 1 || testPerTask < 1 || questionsPerTask < 1 || steps < 1 || batchSize < 1 || towerSteps < 1 || !(lr > 0)) {
            throw new IllegalArgumentException("need trainScenes, testPerTask, steps, batchSize, towerSteps >= 1 and "
                    + "lr > 0; got trainScenes=" + trainScenes + " questionsPerTask=" + questionsPerTask + " testPerTask=" + testPerTask + " steps=" + steps
                    + " batchSize=" + batchSize + " towerSteps=" + towerSteps + " lr=" + lr);
        }
        for (String t : tasks) {
            if (!HiResSynth.TASKS.contains(t)) {
                throw new IllegalArgumentException("unknown task '" + t + "'; tasks: " + HiResSynth.TASKS);
            }
        }
    }

    /**
     * The lab's tasks: the glyph, the checkerboard's presence and colour (fine detail), the relation and the colour
     * in a region (layout). {@code count} and {@code exists} stay available through {@link Builder#optTasks}; they left
     * the default because no row, the full-resolution ceiling included, learned either within any budget the demo can
     * afford (docs/lab.md, "The verdict").
     */
    public static final List<String> DEFAULT_TASKS = List.of("glyph", "checkered", "checkered-colour", "relation",
            "colour");

    /** {@link #scoreOn()}: the held-out test split. */
    public static final String TEST = "test";
    /** {@link #scoreOn()}: the validation split, on which settings are chosen. */
    public static final String VALIDATION = "validation";

    /** The data file of the split the rows are scored on ({@code test.json} or {@code val.json}). */
    public String scoreFile() {
        return scoreOn.equals(VALIDATION) ? "val.json" : "test.json";
    }

    /** Questions per task of the split the rows are scored on. */
    public int scorePerTask() {
        return scoreOn.equals(VALIDATION) ? valPerTask : testPerTask;
    }

    /** One line for logs and reports. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "seed %d; %d training scenes (%s), %d %s questions per task; "
                + "scenes %d px, DCM %dx%d; tower d%d x %d layers, stage 0 %d steps; LLaMA d%d x %d layers; %d steps "
                + "per model, batch %d, lr %.1e; tasks %s", seed, trainScenes, multiTurn ? questionsPerTask
                +  " questions per task each" : "one question each", scorePerTask(), scoreOn, sceneSize, grid, grid,
                tower.hiddenSize(), tower.layers(), towerSteps, llm.hiddenSize(), llm.layers(), steps, batchSize, lr,
                String.join(",", tasks));
    }

    /** The default budget (the demo without {@code --quick}). */
    public static LabSettings defaults() {
        return builder().build();
    }

    /** The quick budget. */
    public static LabSettings quick() {
        return builder().optTrainScenes(400).optTestPerTask(20).optValPerTask(20).optSteps(350).optTowerSteps(600).build();
    }

    /** A builder with the default budget. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.seed = seed;
        b.trainScenes = trainScenes;
        b.testPerTask = testPerTask;
        b.valPerTask = valPerTask;
        b.scoreOn = scoreOn;
        b.sceneSize = sceneSize;
        b.grid = grid;
        b.tasks = tasks;
        b.multiTurn = multiTurn;
        b.imageFirst = imageFirst;
        b.questionsPerTask = questionsPerTask;
        b.tower = tower;
        b.towerSteps = towerSteps;
        b.llm = llm;
        b.steps = steps;
        b.batchSize = batchSize;
        b.lr = lr;
        b.control = control;
        return b;
    }

    /** Builder of {@link LabSettings}; every setting is optional. */
    public static final class Builder {
        private long seed = 1;
        private int trainScenes = 2000;
        private int testPerTask = 120;
        private int valPerTask = 60;
        private String scoreOn = TEST;
        private int sceneSize = 84;
        private int grid = 3;
        private List<String> tasks = DEFAULT_TASKS;
        private boolean multiTurn = true;
        private boolean imageFirst = true;
        private int questionsPerTask = 3;
        private ClipVisionConfig tower = new ClipVisionConfig(48, 96, 3, 4, 3, 28, 4, "quick_gelu", 1e-5f);
        private int towerSteps = 3000;
        private LlamaConfig llm = new LlamaConfig(1, 64, 128, 2, 4, 2, 1e-5f, 10000.0, null, 512, false);
        private int steps = 2000;
        private int batchSize = 8;
        private double lr = 1e-3;
        private boolean control = true;

        private Builder() {}

        /** Seed (default 1). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Training scenes (default 2000). */
        public Builder optTrainScenes(int trainScenes) {
            this.trainScenes = trainScenes;
            return this;
        }

        /** Test questions per task (default 120: a fine-detail pool of 360, see docs/lab.md, Power). */
        public Builder optTestPerTask(int testPerTask) {
            this.testPerTask = testPerTask;
            return this;
        }

        /** Validation questions per task (default 60; settings are chosen on them). */
        public Builder optValPerTask(int valPerTask) {
            this.valPerTask = valPerTask;
            return this;
        }

        /** The split the rows are scored on: {@link #TEST} (default) or {@link #VALIDATION}. */
        public Builder optScoreOn(String scoreOn) {
            this.scoreOn = scoreOn;
            return this;
        }

        /** Scene side and DCM grid (default 84 px, 3 × 3 sub-images of 28 px). */
        public Builder optScene(int sceneSize, int grid) {
            this.sceneSize = sceneSize;
            this.grid = grid;
            return this;
        }

        /** Tasks (default {@link #DEFAULT_TASKS}). */
        public Builder optTasks(List<String> tasks) {
            this.tasks = tasks;
            return this;
        }

        /** Multi-turn training conversations (default true). */
        public Builder optMultiTurn(boolean multiTurn) {
            this.multiTurn = multiTurn;
            return this;
        }

        /** Questions of each task per training scene (default 3). */
        public Builder optQuestionsPerTask(int questionsPerTask) {
            this.questionsPerTask = questionsPerTask;
            return this;
        }

        /** Image before the question (default true) or after it. */
        public Builder optImageFirst(boolean imageFirst) {
            this.imageFirst = imageFirst;
            return this;
        }

        /** The tower (default CLIP, d 48, 3 layers, 4 heads, 28-px input, patch 4); CLIP or SigLIP. */
        public Builder optTower(ClipVisionConfig tower) {
            this.tower = tower;
            return this;
        }

        /** Stage-0 steps (default 3000). */
        public Builder optTowerSteps(int towerSteps) {
            this.towerSteps = towerSteps;
            return this;
        }

        /**
         * The LLM (default LLaMA, d 64, 2 layers, 4 heads, 2 KV heads); any family, e.g.
         * {@code llm.withFamily(LlamaConfig.Family.QWEN2, 0)} or {@code (MISTRAL, window)}.
         */
        public Builder optLlm(LlamaConfig llm) {
            this.llm = llm;
            return this;
        }

        /** Training steps per model (default 2000). */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Conversations per step (default 8). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Peak learning rate (default 1e-3). */
        public Builder optLr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Ask every test question again with another scene's image (default true). */
        public Builder optControl(boolean control) {
            this.control = control;
            return this;
        }

        /** Validates and builds. */
        public LabSettings build() {
            return new LabSettings(seed, trainScenes, testPerTask, valPerTask, scoreOn, sceneSize, grid, tasks, multiTurn, questionsPerTask, imageFirst, tower, towerSteps,
                    llm, steps, batchSize, lr, control);
        }
    }
}
