package org.infllava.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.infllava.eval.MultipleChoice;
import org.infllava.eval.Pope;
import org.infllava.eval.Reading;
import org.infllava.eval.ScoreReport;
import org.infllava.eval.VqaAccuracy;
import org.infllava.eval.bench.AnswerFile;
import org.infllava.eval.bench.AnswerRows;
import org.infllava.eval.bench.MmBenchSubmission;
import org.infllava.eval.bench.SeedSubmission;
import org.infllava.eval.bench.VqaPairing;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.eval.bench.LoadReport;
import org.infllava.eval.bench.MmBenchFile;
import org.infllava.eval.bench.PopeFile;
import org.infllava.eval.bench.ScienceQaFile;
import org.infllava.eval.bench.SeedBenchFile;
import org.infllava.eval.bench.VqaFiles;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infllava score}: scores an existing LLaVA answer file on a benchmark's local files, prints the headline
 * numbers, per-category accuracies and the bookkeeping (unanswered questions, which count as wrong; predictions for
 * unknown questions; unreadable answers; malformed rows), and writes them as JSON with {@code --out}.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a model's answers (a LLaVA answer file: JSONL rows {question_id, text}) on a benchmark.",
            "--reading official (default) reads and counts answers as the benchmark's reference script does "
                    + "(docs/evaluation.md names each); --reading lenient is the toolkit's forgiving reading.",
            "Data: okvqa, textvqa: --annotations A.json [--questions Q.json] (official VQA format; TextVQA's own "
                    + "file also works); pope: --data pope.jsonl; mmbench: --data mmbench.tsv [--circular] "
                    + "(question_id is the TSV index); sqa: --data problems.json [--split test]; "
                    + "seed: --data SEED-Bench.json.",
            "Predictions for unknown questions are reported, not scored; a file that answers no question is an error."})
final class ScoreCommand implements Callable<Integer> {

    static final List<String> BENCHMARKS = List.of("okvqa", "textvqa", "pope", "mmbench", "sqa", "seed");
    private static final int IDS_SHOWN = 10;

    @Option(names = "--benchmark", required = true, paramLabel = "NAME",
            description = "okvqa, textvqa, pope, mmbench, sqa or seed.")
    String benchmark;

    @Option(names = "--predictions", required = true, paramLabel = "P.jsonl", description = "The answer file.")
    Path predictions;

    @Option(names = "--data", paramLabel = "FILE",
            description = "pope, mmbench, sqa, seed: the benchmark's own file.")
    Path data;

    @Option(names = "--annotations", paramLabel = "A.json", description = "okvqa, textvqa: the annotation file.")
    Path annotations;

    @Option(names = "--questions", paramLabel = "Q.json",
            description = "okvqa, textvqa: the question file; when given, it decides which questions are scored.")
    Path questions;

    @Option(names = "--circular", description = "mmbench: CircularEval, a question counts only when every rotation "
            + "of its options (indices equal modulo 1,000,000) is answered right.")
    boolean circular;

    @Option(names = "--split", paramLabel = "SPLIT", description = "sqa: the split scored (default: test).")
    String split;

    @Option(names = "--vqa-rules", paramLabel = "RULES", description = "okvqa, textvqa: answer normalisation, "
            + "evalai (the VQA/TextVQA servers, LLaVA's m4c_evaluator; default) or vqaeval (GT-Vision-Lab vqaEval.py).")
    String vqaRules;

    @Option(names = "--reading", paramLabel = "READING", description = "official (default): as the benchmark's "
            + "reference script reads and counts answers, quirks included (docs/evaluation.md names each script); "
            + "lenient: the toolkit's forgiving reading, every unanswered question counted wrong.")
    String reading;

    @Option(names = "--submission", paramLabel = "FILE", description = "mmbench: write the leaderboard's .xlsx (as "
            + "LLaVA's convert_mmbench_for_submission.py); seed: write the leaderboard's JSONL (as "
            + "convert_seed_for_submission.py).")
    Path submission;

    @Option(names = "--strict", description = "Stop at the first malformed row (exit 2 naming file and line).")
    boolean strict;

    @Option(names = "--out", paramLabel = "S.json", description = "Write the scores as JSON.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private String unansweredNote = "counted wrong";
    private String readingLabel = "official";
    /** Whether the headline counts only answered questions (then {@code questions} excludes the unanswered). */
    private boolean answeredOnly;
    private boolean submissionWritten;

    @Override
    public Integer call() {
        String b = benchmark.toLowerCase(Locale.ROOT);
        checkOptions(b);
        Reading rd = reading == null ? Reading.OFFICIAL : Reading.parse(reading);
        LoadOptions opts = LoadOptions.builder().strict(strict).images(false).build();
        // --strict applies to the reading in use: the official one takes repeated ids (the last row wins)
        LoadOptions lax = LoadOptions.builder().strict(false).images(false).build();
        AnswerFile answers = AnswerFile.read(predictions, rd == Reading.LENIENT ? opts : lax);
        AnswerRows rows = AnswerRows.read(predictions, rd == Reading.OFFICIAL ? opts : lax);
        List<LoadReport> reports = new ArrayList<>();
        reports.add(rd == Reading.OFFICIAL ? rows.report() : answers.report());
        JsonObject settings = new JsonObject();
        settings.addProperty("reading", rd.label());
        unansweredNote = "counted wrong";
        ScoreReport report = switch (b) {
            case "okvqa", "textvqa" -> {
                VqaAccuracy.Rules rules = vqaRules != null
                        ? (vqaRules.equals("evalai") ? VqaAccuracy.Rules.EVALAI : VqaAccuracy.Rules.VQA_EVAL)
                        : rd == Reading.OFFICIAL && b.equals("okvqa") ? VqaAccuracy.Rules.VQA_EVAL
                        : VqaAccuracy.Rules.EVALAI;
                settings.addProperty("vqa_rules", rules == VqaAccuracy.Rules.EVALAI ? "evalai" : "vqaeval");
                VqaFiles v = VqaFiles.read(questions, annotations, opts);
                reports.add(v.annotationsReport());
                if (v.questionsReport() != null) {
                    reports.add(v.questionsReport());
                }
                List<VqaAccuracy.Item> items = nonEmpty(v.items(), questions != null ? questions : annotations);
                VqaPairing pairing = VqaPairing.of(v.questions(), rows, annotations);
                settings.addProperty("pairing", pairing.name());
                if (rd == Reading.OFFICIAL && b.equals("textvqa") && rules == VqaAccuracy.Rules.EVALAI) {
                    unansweredNote = "not counted, as eval_textvqa.py averages over the answer rows";
                    answeredOnly = true;
                    yield VqaAccuracy.evaluateRows(items, pairing.rows());
                }
                yield VqaAccuracy.evaluate(items, rd == Reading.OFFICIAL ? pairing.lastWins()
                        : pairing.firstWins(), rules, rd);
            }
            case "pope" -> {
                PopeFile p = PopeFile.read(data, opts);
                reports.add(p.report());
                yield Pope.evaluate(nonEmpty(p.items(), data), answers.answers());
            }
            case "mmbench" -> {
                MmBenchFile m = MmBenchFile.read(data, opts);
                reports.add(m.report());
                if (submission != null) {
                    MmBenchSubmission.write(data, rows, submission);
                    submissionWritten = true;
                }
                if (!m.hasAnswers()) {
                    if (submission != null) {
                        yield null;
                    }
                    throw new InvalidInputException(data, "no 'answer' column (the test split?): nothing to score "
                            + "against; write the leaderboard's file with --submission out.xlsx");
                }
                settings.addProperty("reading", Reading.LENIENT.label());
                settings.addProperty("official_scoring", "MMBench server (submit the --submission file)");
                settings.addProperty("circular", circular);
                List<MultipleChoice.Item> items = nonEmpty(m.items(), data);
                if (!circular) {
                    yield MultipleChoice.evaluate(items, answers.answers());
                }
                Map<String, String> keys = new HashMap<>();
                m.rows().forEach(r -> keys.put(String.valueOf(r.index()), r.questionKey()));
                yield MultipleChoice.evaluateCircular(items, i -> keys.get(i.id()), answers.answers());
            }
            case "sqa" -> {
                String s = split == null ? "test" : split;
                settings.addProperty("split", s);
                ScienceQaFile q = ScienceQaFile.read(data, parent(data), opts);
                reports.add(q.report());
                if (q.items(s).isEmpty()) {
                    throw new InvalidInputException(data, "no image questions in split '" + s + "'");
                }
                if (rd == Reading.LENIENT) {
                    yield MultipleChoice.evaluate(q.items(s), answers.answers());
                }
                unansweredNote = "left out of accuracy, as eval_science_qa.py's IMG-Accuracy leaves them; "
                        + "counted wrong in accuracy_missing_wrong";
                answeredOnly = true;
                yield MultipleChoice.evaluateScienceQa(q.items(s), rows.lastWins(true));
            }
            case "seed" -> {
                SeedBenchFile s = SeedBenchFile.read(data, parent(data), opts);
                reports.add(s.report());
                List<MultipleChoice.Item> items = nonEmpty(s.items(), data);
                if (submission != null) {
                    SeedSubmission.write(s, rows, submission);
                    submissionWritten = true;
                }
                yield rd == Reading.LENIENT ? MultipleChoice.evaluate(items, answers.answers())
                        : MultipleChoice.evaluateExactLetter(items, SeedSubmission.pair(items, rows));
            }
            default -> throw new IllegalStateException(b);
        };
        readingLabel = settings.get("reading").getAsString();
        boolean nothingAnswered = report != null && !report.unanswered().isEmpty() && (answeredOnly
                ? report.questions() == 0 : report.unanswered().size() == report.questions() && !circular);
        if (nothingAnswered) {
            if (submissionWritten) {
                try {
                    java.nio.file.Files.deleteIfExists(submission);
                } catch (java.io.IOException e) {
                    // the error below is what matters; the file is named in the help
                }
            }
            throw new InvalidInputException(predictions, "no answer names a question of the data ("
                    + report.unknownPredictions().size() + " answers, ids such as "
                    + String.join(", ", report.unknownPredictions().subList(0, Math.min(3,
                            report.unknownPredictions().size())))
                    + (b.equals("seed") && rd == Reading.OFFICIAL ? "; the official reading pairs a numeric SEED id "
                            + "only with a numeric question_id, as convert_seed_for_submission.py does" : "")
                    + (b.equals("sqa") && rd == Reading.OFFICIAL ? "; the official reading pairs problem ids only "
                            + "with string question_ids, as eval_science_qa.py does" : "") + ")");
        }
        print(b, report, reports);
        if (report == null) {
            return 0;
        }
        if (out != null) {
            Outputs.writeJson(out, json(b, settings, report, reports));
            spec.commandLine().getOut().println("wrote " + out);
        }
        return 0;
    }

    /** Every data option must belong to the benchmark, and the ones it needs must be there. */
    private void checkOptions(String b) {
        if (!BENCHMARKS.contains(b)) {
            throw new InvalidInputException("--benchmark must be one of " + String.join(", ", BENCHMARKS) + ", got '"
                    + benchmark + "'");
        }
        boolean vqa = b.equals("okvqa") || b.equals("textvqa");
        if (vqa && annotations == null) {
            throw new InvalidInputException("--benchmark " + b + " needs --annotations A.json");
        }
        if (!vqa && data == null) {
            throw new InvalidInputException("--benchmark " + b + " needs --data");
        }
        notFor(vqa, data, "--data", b);
        notFor(!vqa, annotations, "--annotations", b);
        notFor(!vqa, questions, "--questions", b);
        notFor(!vqa, vqaRules, "--vqa-rules", b);
        notFor(!b.equals("mmbench"), circular ? Boolean.TRUE : null, "--circular", b);
        notFor(!b.equals("sqa"), split, "--split", b);
        notFor(!b.equals("mmbench") && !b.equals("seed"), submission, "--submission", b);
        if (reading != null) {
            try {
                Reading.parse(reading);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--" + e.getMessage());
            }
        }
        if (vqaRules != null && !vqaRules.equals("evalai") && !vqaRules.equals("vqaeval")) {
            throw new InvalidInputException("--vqa-rules must be evalai or vqaeval, got '" + vqaRules + "'");
        }
    }

    private static void notFor(boolean misplaced, Object value, String option, String b) {
        if (misplaced && value != null) {
            throw new InvalidInputException(option + " does not apply to --benchmark " + b);
        }
    }

    private static <T> List<T> nonEmpty(List<T> items, Path file) {
        if (items.isEmpty()) {
            throw new InvalidInputException(file, "no questions to score");
        }
        return items;
    }

    private static Path parent(Path file) {
        Path p = file.toAbsolutePath().getParent();
        return p == null ? Path.of(".") : p;
    }

    private void print(String b, ScoreReport r, List<LoadReport> reports) {
        PrintWriter o = spec.commandLine().getOut();
        if (submissionWritten) {
            o.println("wrote " + submission + " (the leaderboard's submission file)");
        }
        if (r == null) {
            printReports(o, reports);
            return;
        }
        o.printf("score %s (%s reading): %d %s%n", b, readingLabel, r.questions(),
                circular ? "questions (CircularEval)" : "questions");
        TextTable head = new TextTable("metric", "value");
        head.row("accuracy", String.format(Locale.ROOT, "%.4f", r.accuracy()));
        r.metrics().forEach((k, v) -> head.row(k, String.format(Locale.ROOT, "%.4f", v)));
        o.print(head);
        r.categories().forEach((grouping, groups) -> {
            o.println();
            boolean extra = groups.values().stream().anyMatch(g -> !g.metrics().isEmpty());
            List<String> cols = new ArrayList<>(List.of(grouping, "n", "accuracy"));
            if (extra) {
                cols.addAll(groups.values().iterator().next().metrics().keySet());
            }
            TextTable t = new TextTable(cols.toArray(String[]::new));
            groups.forEach((name, g) -> {
                List<Object> cells = new ArrayList<>(List.of(name, g.n(), String.format(Locale.ROOT, "%.4f",
                        g.accuracy())));
                if (extra) {
                    g.metrics().values().forEach(v -> cells.add(String.format(Locale.ROOT, "%.4f", v)));
                }
                t.row(cells.toArray());
            });
            o.print(t);
        });
        o.println();
        ids(o, "unanswered (" + unansweredNote + ")", r.unanswered());
        ids(o, "unknown predictions (not scored)", r.unknownPredictions());
        ids(o, "unreadable answers (counted wrong)", r.unparsed());
        printReports(o, reports);
    }

    private static void printReports(PrintWriter o, List<LoadReport> reports) {
        for (LoadReport lr : reports) {
            if (lr.malformedCount() > 0 || !lr.skipped().isEmpty()) {
                o.println(lr.file() + ": " + lr.summary());
                lr.firstProblems().forEach(p -> o.println("  " + p));
            }
        }
    }

    private static void ids(PrintWriter o, String what, List<String> ids) {
        StringBuilder sb = new StringBuilder(what + ": " + ids.size());
        if (!ids.isEmpty()) {
            sb.append(" (").append(String.join(", ", ids.subList(0, Math.min(IDS_SHOWN, ids.size()))));
            sb.append(ids.size() > IDS_SHOWN ? ", …)" : ")");
        }
        o.println(sb);
    }

    private JsonObject json(String b, JsonObject settings, ScoreReport r, List<LoadReport> reports) {
        JsonObject j = new JsonObject();
        j.addProperty("benchmark", b);
        j.addProperty("predictions", predictions.toString());
        JsonArray files = new JsonArray();
        reports.subList(1, reports.size()).forEach(lr -> files.add(lr.file().toString()));
        j.add("data", files);
        settings.entrySet().forEach(e -> j.add(e.getKey(), e.getValue()));
        r.toJson().entrySet().forEach(e -> j.add(e.getKey(), e.getValue()));
        JsonObject malformed = new JsonObject();
        JsonObject skipped = new JsonObject();
        for (LoadReport lr : reports) {
            if (lr.malformedCount() > 0) {
                JsonObject m = new JsonObject();
                lr.malformed().forEach(m::addProperty);
                malformed.add(lr.file().toString(), m);
            }
            if (!lr.skipped().isEmpty()) {
                JsonObject s = new JsonObject();
                lr.skipped().forEach(s::addProperty);
                skipped.add(lr.file().toString(), s);
            }
        }
        j.add("malformed", malformed);
        j.add("skipped", skipped);
        return j;
    }
}
