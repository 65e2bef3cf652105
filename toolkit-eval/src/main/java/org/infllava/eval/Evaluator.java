package org.infllava.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.InvalidInputException;
import org.infllava.model.InfLlavaModel;
import org.infllava.train.ProgressBar;

/**
 * Answers a benchmark's questions with a model, in left-padded batches with greedy decoding, and scores them.
 *
 * <p>The output folder holds {@code predictions.jsonl} (LLaVA answer rows {@code {question_id, prompt, text,
 * model_id}}, appended after every batch), {@code run.json} (what the predictions depend on), and after scoring
 * {@code summary.json}, {@code summary.csv} and {@code summary.md} ({@link EvalResult}). Running again into the same
 * folder answers only the questions without a prediction; a folder whose {@code run.json} names another model,
 * benchmark, template or answer length is refused rather than mixed. A truncated last line (an interrupted write) is
 * dropped and answered again.
 *
 * <p>Who answers is an {@link Answerer}: by default this JVM with the evaluator's model, in batches; toolkit-spark's
 * answers on a cluster's executors, each of which answers its share with an evaluator of its own
 * ({@link #answer(List, int)}).
 */
public final class Evaluator {

    private final InfLlavaModel model;
    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final String modelId;
    private final int batchSize;
    private final int maxNewTokens;
    private final int limit;
    private final long[] stopTokens;
    private final JsonObject provenance;
    private final PrintWriter out;
    private final Reading reading;
    private final Answerer answerer;

    /**
     * Answers the questions a run still needs and hands each answered group to the sink as soon as it is answered (the
     * sink appends it to {@code predictions.jsonl}, so that what was answered survives a failure later on).
     */
    @FunctionalInterface
    public interface Answerer {
        /**
         * Answers {@code todo} greedily with at most {@code maxNewTokens} tokens per answer.
         *
         * @param sink takes questions (any subset of {@code todo}, each once) and their answers, in the same order
         */
        void answer(List<EvalQuestion> todo, int maxNewTokens, BiConsumer<List<EvalQuestion>, List<String>> sink);
    }

    private Evaluator(Builder b) {
        this.model = b.model;
        this.tokenizer = b.tokenizer;
        this.template = b.template;
        this.modelId = b.modelId;
        this.batchSize = b.batchSize;
        this.maxNewTokens = b.maxNewTokens;
        this.limit = b.limit;
        List<Long> stops = new ArrayList<>();
        if (tokenizer != null) {
            tokenizer.tokenId(template.stopText()).ifPresent(stops::add);
        }
        for (long s : b.stopTokens) {
            stops.add(s);
        }
        this.stopTokens = stops.stream().mapToLong(Long::longValue).distinct().toArray();
        this.provenance = b.provenance.deepCopy();
        this.out = b.out;
        this.reading = b.reading;
        this.answerer = b.answerer != null ? b.answerer : (todo, tokens, sink) -> {
            for (int i = 0; i < todo.size(); i += batchSize) {
                List<EvalQuestion> batch = todo.subList(i, Math.min(todo.size(), i + batchSize));
                sink.accept(batch, answer(batch, GenerationConfig.greedy(tokens, stopTokens)));
            }
        };
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The reading that scores {@code benchmark}: the one asked for, unless the benchmark reads only leniently. */
    private Reading readingFor(String benchmark) {
        try {
            return Benchmark.get(benchmark).reading(reading);
        } catch (IllegalArgumentException e) {
            return reading;
        }
    }

    /** The questions a run asks: the first {@code limit} in file order, or all. */
    public List<EvalQuestion> asked(BenchmarkData data) {
        List<EvalQuestion> q = data.questions();
        return limit > 0 && limit < q.size() ? q.subList(0, limit) : q;
    }

    /** Answers what is missing in {@code outDir}, scores every asked question, writes the summary. */
    public EvalResult run(BenchmarkData data, Path outDir) {
        long t0 = System.nanoTime();
        int tokens = maxNewTokens > 0 ? maxNewTokens : data.maxNewTokens();
        List<EvalQuestion> asked = asked(data);
        if (asked.isEmpty()) {
            throw new InvalidInputException(data.files().isEmpty() ? null : data.files().get(0),
                    "no questions to answer");
        }
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new InvalidInputException(outDir, "cannot create: " + e.getMessage(), e);
        }
        JsonObject run = runJson(data, tokens);
        checkRun(outDir.resolve("run.json"), run);
        Path predFile = outDir.resolve("predictions.jsonl");
        Map<String, String> predictions = readPredictions(predFile);
        int reused = (int) asked.stream().filter(q -> predictions.containsKey(q.id())).count();
        List<EvalQuestion> todo = asked.stream().filter(q -> !predictions.containsKey(q.id())).toList();
        checkImages(todo);
        ProgressBar bar = todo.isEmpty() ? null : ProgressBar.of(out, todo.size());
        int[] done = {0};
        long[] good = {size(predFile)}; // the length after the last complete batch: a failed write is cut back to it
        try (BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(
                org.infllava.io.AtomicFiles.newOutputStream(predFile, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND), StandardCharsets.UTF_8))) {
            answerer.answer(todo, tokens, (batch, answers) -> {
                if (answers.size() != batch.size()) {
                    throw new IllegalStateException(answers.size() + " answers to " + batch.size() + " questions");
                }
                try {
                    for (int j = 0; j < batch.size(); j++) {
                        JsonObject row = new JsonObject();
                        addId(row, data.benchmark(), batch.get(j).id());
                        row.addProperty("prompt", withImage(batch.get(j).prompt()));
                        row.addProperty("text", answers.get(j));
                        row.addProperty("model_id", modelId);
                        w.write(row.toString());
                        w.write('\n');
                        predictions.put(batch.get(j).id(), answers.get(j));
                    }
                    w.flush();
                    good[0] = size(predFile);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                done[0] += batch.size();
                bar.advance(batch.size(), String.format("%s: %d/%d answered", data.benchmark(), done[0], todo.size()));
            });
        } catch (UncheckedIOException e) {
            throw new InvalidInputException(predFile, "cannot write: " + org.infllava.io.AtomicFiles.describe(e)
                    + cutBack(predFile, good[0]), e);
        } catch (IOException e) {
            throw new InvalidInputException(predFile, "cannot write: " + org.infllava.io.AtomicFiles.describe(e)
                    + cutBack(predFile, good[0]), e);
        }
        if (bar != null) {
            bar.finish(data.benchmark() + ": answered " + todo.size() + (reused > 0 ? ", " + reused + " reused" : ""));
        }
        Reading used = readingFor(data.benchmark());
        ScoreReport score = data.scorer().score(asked.stream().map(EvalQuestion::id).toList(), predictions, used);
        EvalResult r = new EvalResult(data.benchmark(), modelId, score, asked.size(), todo.size(), reused,
                (System.nanoTime() - t0) / 1e9, outDir, run, data.reports(), used);
        r.writeTo(outDir);
        return r;
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * After a failed append (a full disk): cuts {@code file} back to {@code length}, its complete rows, so that no
     * half row is left; the answers written before stay, and a rerun answers the rest.
     */
    private static String cutBack(Path file, long length) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
            return " (the predictions answered before are kept; rerun to answer the rest)";
        } catch (IOException | RuntimeException e) {
            return " (a half row may be left at the end; the next run drops it)";
        }
    }

    /** Benchmarks whose own answer files carry numeric question ids (LLaVA's POPE, MMBench, SEED, VQA files). */
    private static final Set<String> NUMERIC_IDS = Set.of("pope", "mmbench", "seed", "okvqa");

    /**
     * Writes {@code question_id} as LLaVA's answer files hold it: a JSON number for the benchmarks whose ids are
     * numbers (so that LLaVA's scripts, which compare typed ids, pair them), else a string (ScienceQA's problem ids
     * are strings).
     */
    private static void addId(JsonObject row, String benchmark, String id) {
        if (NUMERIC_IDS.contains(benchmark) && id.matches("-?(0|[1-9][0-9]{0,17})")) {
            row.addProperty("question_id", Long.parseLong(id));
        } else {
            row.addProperty("question_id", id);
        }
    }

    /**
     * The user turn: the prompt with an {@code <image>} line first when it has none. The answer rows record it as
     * their {@code prompt}, as LLaVA's {@code model_vqa*.py} record {@code "<image>\n" + question}, which is how
     * {@code eval_science_qa.py} tells image questions apart.
     */
    private static String withImage(String prompt) {
        return prompt.contains(ChatTemplate.IMAGE_PLACEHOLDER) ? prompt
                : ChatTemplate.IMAGE_PLACEHOLDER + "\n" + prompt;
    }

    /**
     * Answers {@code questions} with this evaluator's model in batches of its batch size, greedily with at most
     * {@code maxNewTokens} tokens: what {@link #run} writes for them. This is what a distributed run's workers call.
     */
    public List<String> answer(List<EvalQuestion> questions, int maxNewTokens) {
        if (model == null) {
            throw new IllegalStateException("this evaluator has no model (it was built with an Answerer)");
        }
        GenerationConfig gen = GenerationConfig.greedy(maxNewTokens, stopTokens);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < questions.size(); i += batchSize) {
            out.addAll(answer(questions.subList(i, Math.min(questions.size(), i + batchSize)), gen));
        }
        return out;
    }

    private List<String> answer(List<EvalQuestion> batch, GenerationConfig gen) {
        List<long[]> ids = new ArrayList<>();
        List<List<BufferedImage>> images = new ArrayList<>();
        for (EvalQuestion q : batch) {
            String text = withImage(q.prompt());
            ids.add(template.render(List.of(new ChatTemplate.Turn(ChatTemplate.Role.USER, text)), tokenizer, true)
                    .ids());
            BufferedImage img;
            try {
                img = q.image().get();
            } catch (InvalidInputException e) {
                throw new InvalidInputException("question " + q.id() + ": " + e.getMessage());
            }
            images.add(List.of(img));
        }
        List<String> answers = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager("PyTorch"); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (long[] row : model.generateBatch(new ParameterStore(m, false), m, ids, images, gen)) {
                int n = row.length;
                while (n > 0 && gen.isStop(row[n - 1])) {
                    n--;
                }
                answers.add(tokenizer.decode(java.util.Arrays.copyOf(row, n), true).strip());
            }
        }
        return answers;
    }

    private JsonObject runJson(BenchmarkData data, int tokens) {
        JsonObject o = new JsonObject();
        o.addProperty("benchmark", data.benchmark());
        o.addProperty("model_id", modelId);
        o.addProperty("template", template.name());
        o.addProperty("max_new_tokens", tokens);
        o.addProperty("decoding", "greedy");
        provenance.entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        return o;
    }

    /** What must agree between runs into one folder: the model, benchmark, template and answer length. */
    private static void checkRun(Path file, JsonObject run) {
        if (Files.exists(file)) {
            JsonObject old;
            try {
                old = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            } catch (IOException | RuntimeException e) {
                throw new InvalidInputException(file, "unreadable (" + e.getMessage() + "); delete the folder or "
                        + "choose another --out");
            }
            for (String k : List.of("benchmark", "model_id", "template", "max_new_tokens", "model_config_sha256")) {
                JsonElement a = old.get(k);
                JsonElement b = run.get(k);
                if (a != null && b != null && !a.equals(b)) {
                    throw new InvalidInputException(file, "holds predictions for " + k + " " + a + ", this run has "
                            + b + ": choose another --out (or delete the folder) rather than mix them");
                }
            }
        }
        org.infllava.io.AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(run)
                + "\n");
    }

    /**
     * Predictions already in {@code file}: question id → text. A last line cut short by an interrupted write is dropped
     * (the file is rewritten without it); a bad line before the last is an error naming it.
     */
    static Map<String, String> readPredictions(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
        List<String> good = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                out.put(o.get("question_id").getAsString(), o.get("text").getAsString());
                good.add(line);
            } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
                if (i < lines.size() - 1) {
                    throw new InvalidInputException(file, "line " + (i + 1) + " is not a prediction row "
                            + "{question_id, text}; fix or delete the file");
                }
                // Atomically: a failure while rewriting (a full disk) leaves the file as it was.
                org.infllava.io.AtomicFiles.writeString(file, good.isEmpty() ? "" : String.join("\n", good) + "\n");
            }
        }
        return out;
    }

    private static void checkImages(List<EvalQuestion> todo) {
        List<String> missing = new ArrayList<>();
        int count = 0;
        for (EvalQuestion q : todo) {
            if (q.imageFile() != null && !Files.isRegularFile(q.imageFile())) {
                count++;
                if (missing.size() < 3) {
                    missing.add(q.imageFile() + " (question " + q.id() + ")");
                }
            }
        }
        if (count > 0) {
            throw new InvalidInputException(count + " question(s) name images that do not exist, e.g. "
                    + String.join(", ", missing) + " (pass the image folder with --images)");
        }
    }

    /** Builder: a model and its tokenizer are required. */
    public static final class Builder {
        private InfLlavaModel model;
        private TextTokenizer tokenizer;
        private ChatTemplate template = ChatTemplate.LLAMA3;
        private String modelId = "model";
        private int batchSize = 8;
        private int maxNewTokens;
        private int limit;
        private long[] stopTokens = new long[0];
        private JsonObject provenance = new JsonObject();
        private PrintWriter out = new PrintWriter(Writer.nullWriter());
        private Reading reading = Reading.OFFICIAL;
        private Answerer answerer;

        private Builder() {}

        /** The model. Required unless {@link #optAnswerer} is set. */
        public Builder setModel(InfLlavaModel model) {
            this.model = model;
            return this;
        }

        /** The model's tokenizer. Required unless {@link #optAnswerer} is set. */
        public Builder setTokenizer(TextTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        /** The chat template prompts are rendered with; default {@code llama3}. Its stop text ends answers. */
        public Builder optTemplate(ChatTemplate template) {
            this.template = template;
            return this;
        }

        /** The name written into every prediction row and {@code run.json}; default {@code model}. */
        public Builder optModelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /** Questions per generation batch; default 8. */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Most tokens per answer; default 0: the benchmark's own ({@link BenchmarkData#maxNewTokens()}). */
        public Builder optMaxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        /** Ask only the first {@code limit} questions in file order; default 0: all. */
        public Builder optLimit(int limit) {
            this.limit = limit;
            return this;
        }

        /** Further tokens that end an answer (the model's EOS), besides the template's stop text. */
        public Builder optStopTokens(long... stopTokens) {
            this.stopTokens = stopTokens.clone();
            return this;
        }

        /** Fields recorded in {@code run.json} and the summary (model directory, digests, ...); default none. */
        public Builder optProvenance(JsonObject provenance) {
            this.provenance = provenance;
            return this;
        }

        /**
         * How answers are read and counted ({@link Reading}); default {@link Reading#OFFICIAL}, the benchmark's
         * reference script.
         */
        public Builder optReading(Reading reading) {
            this.reading = java.util.Objects.requireNonNull(reading, "reading");
            return this;
        }

        /** Where the progress bar goes; default nowhere. */
        public Builder optOutput(PrintWriter out) {
            this.out = out;
            return this;
        }

        /**
         * Who answers the questions; default: this JVM with {@link #setModel}'s model in batches of
         * {@link #optBatchSize}. With one, the model and tokenizer may be left unset (the answerer holds its own).
         */
        public Builder optAnswerer(Answerer answerer) {
            this.answerer = answerer;
            return this;
        }

        /** Validates and builds. */
        public Evaluator build() {
            if ((model == null || tokenizer == null) && answerer == null) {
                throw new IllegalArgumentException("setModel and setTokenizer are required (or optAnswerer)");
            }
            if (batchSize < 1 || maxNewTokens < 0 || limit < 0) {
                throw new IllegalArgumentException("batchSize must be at least 1 and maxNewTokens, limit at least 0, "
                        + "got batchSize=" + batchSize + " maxNewTokens=" + maxNewTokens + " limit=" + limit);
            }
            return new Evaluator(this);
        }
    }
}
