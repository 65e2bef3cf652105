package org.infllava.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.eval.bench.MmBenchFile;
import org.infllava.eval.bench.MultipleChoiceFile;
import org.infllava.eval.bench.PopeFile;
import org.infllava.eval.bench.ScienceQaFile;
import org.infllava.eval.bench.SeedBenchFile;
import org.infllava.eval.bench.VqaFiles;
import org.infllava.infer.ChatTemplate;
import org.infllava.io.InvalidInputException;

/**
 * The paper's benchmarks (Tab. 1-2) with LLaVA-1.5's evaluation prompts, and the lab's HiResSynth test split.
 *
 * <ul>
 *   <li>{@code pope}: {@code --data pope.jsonl} (question_id, image, text, label); images in the file's folder or
 *       {@code --images}; "Answer the question using a single word or phrase."; POPE's metrics.
 *   <li>{@code sqa}: ScienceQA-img {@code problems.json}, test split, images under {@code <folder>/test/<id>/};
 *       context, question, lettered options, "Answer with the option's letter from the given choices directly."
 *   <li>{@code mmbench}: the TSV with base64 images; CircularEval when the file holds rotations (indices ≥ 1,000,000).
 *   <li>{@code seed}: SEED-Bench JSON, image questions; images in the file's folder or {@code --images}.
 *   <li>{@code ai2d}, {@code mmmu}: the generic multiple-choice JSONL of {@link MultipleChoiceFile}.
 *   <li>{@code okvqa}: a folder with the official {@code *questions*.json} and {@code *annotations*.json}; images
 *       {@code COCO_val2014_<12-digit id>.jpg} (or {@code <id>.jpg}/{@code .png}) in {@code --images}, else
 *       {@code <folder>/val2014}, else the folder; VQA soft accuracy: vqaEval.py under Python 2 (official reading) or the EvalAI rules (lenient).
 *   <li>{@code hires}: a HiResSynth data folder (its {@code test.json}) or a split file; the lab's exact-match
 *       accuracy on the answer's first word, per task, prompts as written in the file.
 * </ul>
 */
public enum StandardBenchmark implements Benchmark {
    /** POPE (object hallucination). */
    POPE("pope.jsonl: JSONL rows {question_id, image, text, label}", 32),
    /** ScienceQA, image questions of the test split. */
    SQA("ScienceQA problems.json (images under <its folder>/test/<id>/)", 32),
    /** MMBench dev TSV. */
    MMBENCH("MMBench TSV with base64 images and an answer column", 32),
    /** SEED-Bench. */
    SEED("SEED-Bench JSON with a questions list", 32),
    /** AI2D, as multiple-choice JSONL. */
    AI2D("multiple-choice JSONL {question_id, image, question, options, answer}", 32),
    /** MMMU (single-image multiple-choice questions), as multiple-choice JSONL. */
    MMMU("multiple-choice JSONL {question_id, image, question, options, answer}", 32),
    /** OK-VQA. */
    OKVQA("a folder with the official OK-VQA *questions*.json and *annotations*.json", 32),
    /** The lab's HiResSynth test split. */
    HIRES("a HiResSynth data folder (test.json, images/) or one of its split files", 2);

    /** LLaVA-1.5's instruction for short answers (VQAv2, GQA, OK-VQA, POPE). */
    public static final String SHORT_ANSWER = "Answer the question using a single word or phrase.";
    /** LLaVA-1.5's instruction for multiple choice (ScienceQA, MMBench, SEED). */
    public static final String LETTER_ANSWER = "Answer with the option's letter from the given choices directly.";

    private final String dataHelp;
    private final int maxNewTokens;

    StandardBenchmark(String dataHelp, int maxNewTokens) {
        this.dataHelp = dataHelp;
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public String dataHelp() {
        return dataHelp;
    }

    /**
     * LLaVA-1.5's multiple-choice prompt: the hint (ScienceQA's "Context: …"), the question, one {@code A. option}
     * line per option, then {@link #LETTER_ANSWER}.
     */
    public static String multipleChoicePrompt(String hint, String question, List<String> options) {
        StringBuilder sb = new StringBuilder();
        if (hint != null && !hint.isBlank()) {
            sb.append(hint.strip()).append('\n');
        }
        sb.append(question.strip());
        for (int i = 0; i < options.size(); i++) {
            sb.append('\n').append(MultipleChoice.letter(i)).append(". ").append(options.get(i).strip());
        }
        return sb.append('\n').append(LETTER_ANSWER).toString();
    }

    /**
     * A short-answer prompt: the question, then {@link #SHORT_ANSWER} on its own line, as in LLaVA-1.5's question
     * files ({@code llava_pope_test.jsonl}: "Is there a dog in the image?\nAnswer the question using a single word
     * or phrase."). A question that already ends with the instruction (LLaVA's own file) is sent as it is.
     */
    public static String shortAnswerPrompt(String question) {
        String q = question.strip();
        return q.endsWith("\n" + SHORT_ANSWER) ? q : q + "\n" + SHORT_ANSWER;
    }

    /**
     * ScienceQA's prompt as LLaVA-1.5 builds it: {@code convert_sqa_to_llava.py} with the CQM-A format writes
     * {@code "Context: {hint, or N/A}\nQuestion: {question}\nOptions: (A) {c0} (B) {c1} …"} (double spaces made
     * single, stripped); {@code model_vqa_science.py} removes {@code <image>}, strips, and with
     * {@code --single-pred-prompt} adds {@link #LETTER_ANSWER} on its own line. (The {@code <image>} line the script
     * puts first is added when the question is asked.)
     */
    public static String scienceQaPrompt(String hint, String question, List<String> choices) {
        String context = PyText.strip(hint == null ? "" : hint + " ");
        StringBuilder options = new StringBuilder();
        for (int i = 0; i < choices.size(); i++) {
            options.append(i > 0 ? " " : "").append('(').append(MultipleChoice.letter(i)).append(") ")
                    .append(choices.get(i));
        }
        String input = PyText.strip(("Context: " + (context.isEmpty() ? "N/A" : context) + "\nQuestion: " + question
                + "\nOptions: " + options + "\n").replace("  ", " "));
        return PyText.strip((input + "\n").replace(ChatTemplate.IMAGE_PLACEHOLDER, "")) + "\n" + LETTER_ANSWER;
    }

    /**
     * MMBench's prompt as LLaVA-1.5's {@code model_vqa_mmbench.py} builds it: the hint (when there is one) and a
     * newline, the question, one {@code "\nA. option"} per option, nothing stripped, then (with
     * {@code --single-pred-prompt}) {@link #LETTER_ANSWER} on its own line.
     */
    public static String mmbenchPrompt(String hint, String question, List<String> options) {
        StringBuilder sb = new StringBuilder();
        if (hint != null) {
            sb.append(hint).append('\n');
        }
        sb.append(question);
        for (int i = 0; i < options.size(); i++) {
            sb.append('\n').append(MultipleChoice.letter(i)).append(". ").append(options.get(i));
        }
        return sb.append('\n').append(LETTER_ANSWER).toString();
    }

    @Override
    public BenchmarkData load(Path data, Path images, LoadOptions options) {
        if (!Files.exists(data)) {
            throw new InvalidInputException(data, "no such file or folder (" + lower() + " needs " + dataHelp + ")");
        }
        Path imageRoot = images != null ? images : folderOf(data);
        List<EvalQuestion> qs = new ArrayList<>();
        return switch (this) {
            case POPE -> {
                PopeFile p = PopeFile.read(file(data), options);
                p.questions().forEach(q -> qs.add(EvalQuestion.ofFile(q.id(), shortAnswerPrompt(q.text()),
                        imageRoot.resolve(q.image()))));
                yield data(qs, subset(p.items(), Pope.Item::id, (items, preds, rd) -> Pope.evaluate(items, preds)),
                        List.of(p.report()));
            }
            case SQA -> {
                ScienceQaFile s = ScienceQaFile.read(file(data), imageRoot, options);
                List<ScienceQaFile.Problem> test = s.problems().stream().filter(x -> x.split().equals("test"))
                        .toList();
                test.forEach(x -> qs.add(EvalQuestion.ofFile(x.id(), scienceQaPrompt(x.hint(), x.question(),
                        x.choices()), x.image())));
                yield data(qs, subset(s.items("test"), MultipleChoice.Item::id, (items, preds, rd) ->
                        rd == Reading.OFFICIAL ? MultipleChoice.evaluateScienceQa(items, preds)
                                : MultipleChoice.evaluate(items, preds)), List.of(s.report()));
            }
            case MMBENCH -> {
                MmBenchFile m = MmBenchFile.read(file(data), options);
                if (!m.hasAnswers()) {
                    throw new InvalidInputException(data, "no 'answer' column (the test split?): nothing to score "
                            + "against");
                }
                m.rows().forEach(r -> qs.add(new EvalQuestion(String.valueOf(r.index()),
                        mmbenchPrompt(r.hint(), r.question(), r.options()), null, r::image)));
                Map<String, String> keys = new HashMap<>();
                m.rows().forEach(r -> keys.put(String.valueOf(r.index()), r.questionKey()));
                boolean circular = m.rows().stream().anyMatch(r -> r.index() >= MmBenchFile.CIRCULAR_OFFSET);
                yield data(qs, subset(m.items(), MultipleChoice.Item::id, circular
                        ? (items, preds, rd) -> MultipleChoice.evaluateCircular(items, i -> keys.get(i.id()), preds)
                        : (items, preds, rd) -> MultipleChoice.evaluate(items, preds)), List.of(m.report()));
            }
            case SEED -> {
                SeedBenchFile s = SeedBenchFile.read(file(data), imageRoot, options);
                s.questions().forEach(q -> qs.add(EvalQuestion.ofFile(q.id(), multipleChoicePrompt("", q.question(),
                        q.choices()), q.image())));
                yield data(qs, subset(s.items(), MultipleChoice.Item::id, (items, preds, rd) ->
                        rd == Reading.OFFICIAL ? MultipleChoice.evaluateExactLetter(items, preds)
                                : MultipleChoice.evaluate(items, preds)), List.of(s.report()));
            }
            case AI2D, MMMU -> {
                MultipleChoiceFile f = MultipleChoiceFile.read(file(data), imageRoot, options);
                f.questions().forEach(q -> qs.add(EvalQuestion.ofFile(q.id(), multipleChoicePrompt(q.hint(),
                        q.question(), q.options()), q.image())));
                yield data(qs, subset(f.items(), MultipleChoice.Item::id, (items, preds, rd) ->
                        MultipleChoice.evaluate(items, preds)), List.of(f.report()));
            }
            case OKVQA -> {
                if (!Files.isDirectory(data)) {
                    throw new InvalidInputException(data, "okvqa needs " + dataHelp);
                }
                VqaFiles v = VqaFiles.read(find(data, "questions"), find(data, "annotations"), options);
                Path root = images != null ? images
                        : Files.isDirectory(data.resolve("val2014")) ? data.resolve("val2014") : data;
                v.questions().forEach(q -> qs.add(EvalQuestion.ofFile(q.id(), shortAnswerPrompt(q.question()),
                        cocoImage(root, q.imageId()))));
                List<org.infllava.eval.bench.LoadReport> reports = new ArrayList<>(List.of(v.annotationsReport()));
                if (v.questionsReport() != null) {
                    reports.add(v.questionsReport());
                }
                yield data(qs, subset(v.items(), VqaAccuracy.Item::id, (items, preds, rd) -> VqaAccuracy.evaluate(
                        items, preds, rd == Reading.OFFICIAL ? VqaAccuracy.Rules.VQA_EVAL : VqaAccuracy.Rules.EVALAI,
                        rd)), reports);
            }
            case HIRES -> hires(data, images);
        };
    }

    /** MMBench, AI2D, MMMU (scored by servers or by no script LLaVA ships) and HiResSynth read leniently. */
    @Override
    public Reading reading(Reading requested) {
        return switch (this) {
            case POPE, SQA, SEED, OKVQA -> requested;
            case MMBENCH, AI2D, MMMU, HIRES -> Reading.LENIENT;
        };
    }

    private String lower() {
        return name().toLowerCase(Locale.ROOT);
    }

    private BenchmarkData data(List<EvalQuestion> qs, BenchmarkData.Scorer scorer,
            List<org.infllava.eval.bench.LoadReport> reports) {
        return new BenchmarkData(lower(), qs, scorer, reports, maxNewTokens);
    }

    private Path file(Path data) {
        if (Files.isDirectory(data)) {
            throw new InvalidInputException(data, "is a folder; " + lower() + " needs " + dataHelp);
        }
        return data;
    }

    private static Path folderOf(Path data) {
        Path abs = data.toAbsolutePath();
        return Files.isDirectory(abs) ? abs : abs.getParent();
    }

    /** Scores items under a reading. */
    @FunctionalInterface
    private interface ItemScorer<I> {
        ScoreReport score(List<I> items, Map<String, String> predictions, Reading reading);
    }

    /** A scorer over the items whose ids were asked; predictions for other ids are dropped first. */
    private static <I> BenchmarkData.Scorer subset(List<I> items, Function<I, String> id, ItemScorer<I> score) {
        return (asked, predictions, reading) -> {
            Set<String> a = new HashSet<>(asked);
            Map<String, String> p = new LinkedHashMap<>();
            predictions.forEach((k, v) -> {
                if (a.contains(k)) {
                    p.put(k, v);
                }
            });
            return score.score(items.stream().filter(i -> a.contains(id.apply(i))).toList(), p, reading);
        };
    }

    private static Path find(Path dir, String kind) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> hits = s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".json") && n.contains(kind);
            }).sorted().toList();
            if (hits.size() != 1) {
                throw new InvalidInputException(dir, hits.isEmpty() ? "no *" + kind + "*.json file"
                        : "several *" + kind + "*.json files: " + hits);
            }
            return hits.get(0);
        } catch (IOException e) {
            throw new InvalidInputException(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    /** COCO's file name for {@code imageId}, or {@code <id>.jpg}/{@code <id>.png} when that is what exists. */
    static Path cocoImage(Path root, String imageId) {
        Path coco;
        try {
            coco = root.resolve(String.format(Locale.ROOT, "COCO_val2014_%012d.jpg", Long.parseLong(imageId)));
        } catch (NumberFormatException e) {
            coco = root.resolve(imageId + ".jpg");
        }
        if (Files.exists(coco)) {
            return coco;
        }
        for (String ext : List.of(".jpg", ".png")) {
            Path p = root.resolve(imageId + ext);
            if (Files.exists(p)) {
                return p;
            }
        }
        return coco;
    }

    /** HiResSynth: prompts as written, first-word exact match per task (what the lab reports). */
    private BenchmarkData hires(Path data, Path images) {
        Path file = Files.isDirectory(data) ? data.resolve("test.json") : data;
        Path root = images != null ? images : folderOf(file);
        JsonArray rows;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonArray()) {
                throw new InvalidInputException(file, "expected a JSON list of HiResSynth rows");
            }
            rows = e.getAsJsonArray();
        } catch (IOException e) {
            throw new InvalidInputException(file, Files.exists(file) ? "cannot read: " + e.getMessage()
                    : "no such file (hires needs " + dataHelp + ")", e);
        } catch (com.google.gson.JsonParseException e) {
            throw new InvalidInputException(file, "not valid JSON: " + e.getMessage());
        }
        List<EvalQuestion> qs = new ArrayList<>();
        Map<String, String[]> truth = new LinkedHashMap<>(); // id -> {task, answer}
        int line = 0;
        for (JsonElement e : rows) {
            line++;
            try {
                JsonObject o = e.getAsJsonObject();
                String id = o.get("id").getAsString();
                JsonArray conv = o.getAsJsonArray("conversations");
                String question = conv.get(0).getAsJsonObject().get("value").getAsString();
                String answer = conv.get(1).getAsJsonObject().get("value").getAsString();
                String task = o.has("task") ? o.get("task").getAsString() : "all";
                if (truth.put(id, new String[] {task, answer}) != null) {
                    throw new InvalidInputException(file, "row " + line + ": duplicate id '" + id + "'");
                }
                qs.add(EvalQuestion.ofFile(id, question, root.resolve(o.get("image").getAsString())));
            } catch (RuntimeException ex) {
                if (ex instanceof InvalidInputException) {
                    throw ex;
                }
                throw new InvalidInputException(file, "row " + line + " is not a HiResSynth row (id, image, task, "
                        + "conversations): " + ex.getMessage());
            }
        }
        BenchmarkData.Scorer scorer = (asked, predictions, reading) -> {
            List<Accuracy.Item> items = new ArrayList<>();
            List<String> unanswered = new ArrayList<>();
            for (String id : asked) {
                String[] t = truth.get(id);
                String p = predictions.get(id);
                if (p == null) {
                    unanswered.add(id);
                }
                items.add(new Accuracy.Item(t[0], p == null ? "" : p, t[1]));
            }
            Map<String, ScoreReport.GroupScore> byTask = new LinkedHashMap<>();
            Accuracy.byGroup(items).forEach((task, r) -> byTask.put(task, new ScoreReport.GroupScore(r.n(),
                    r.accuracy(), Map.of("ci_low", r.ciLow(), "ci_high", r.ciHigh()))));
            Accuracy.Result all = Accuracy.byGroup(items.stream().map(i -> new Accuracy.Item("all", i.prediction(),
                    i.reference())).toList()).get("all");
            List<String> unknown = predictions.keySet().stream().filter(k -> !truth.containsKey(k)).toList();
            return new ScoreReport(items.size(), all == null ? 0 : all.accuracy(), all == null ? Map.of()
                    : Map.of("ci_low", all.ciLow(), "ci_high", all.ciHigh()), Map.of("task", byTask), unanswered,
                    unknown, List.of());
        };
        return new BenchmarkData(lower(), qs, scorer, List.of(new org.infllava.eval.bench.LoadReport(file,
                rows.size(), qs.size(), Map.of(), Map.of(), List.of())), maxNewTokens);
    }
}
