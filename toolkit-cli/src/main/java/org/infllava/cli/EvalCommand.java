package org.infllava.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.infllava.eval.Benchmark;
import org.infllava.eval.BenchmarkData;
import org.infllava.eval.EvalResult;
import org.infllava.eval.Evaluator;
import org.infllava.eval.Reading;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.eval.bench.LoadReport;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.InvalidInputException;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.ModelDirectory;
import org.infllava.train.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infllava eval}: answers a benchmark with a model directory (batched greedy generation), scores the answers and
 * writes {@code predictions.jsonl}, {@code summary.json|csv|md} and {@code run.json}; running again into the same
 * folder answers only what is missing.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Answer a benchmark with a model, score it, write predictions and a summary; reruns resume.",
            "Benchmarks: pope, sqa, mmbench, seed, ai2d, mmmu, okvqa, and hires (the lab's HiResSynth)."})
final class EvalCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A model directory (saved by the toolkit, e.g. a lab run's <model>/model, or published).")
    Path model;

    @Option(names = "--benchmark", required = true, paramLabel = "NAME", description = "The benchmark.")
    String benchmark;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "The benchmark's file or folder.")
    Path data;

    @Option(names = "--images", paramLabel = "DIR", description = "Image folder (default: beside the data).")
    Path images;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Ask only the first N questions (default: all).")
    int limit;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B",
            description = "Questions per generation batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (default: runs/eval/<model>-<benchmark>; a rerun into it resumes).")
    Path out;

    @Option(names = "--vision", paramLabel = "DIR", description = "CLIP tower (default: the config's mm_vision_tower).")
    Path vision;

    @Option(names = "--template", paramLabel = "NAME",
            description = "Chat template (default: the one the model directory records, else llama3).")
    String template;

    @Option(names = "--max-new-tokens", defaultValue = "0", paramLabel = "N",
            description = "Most tokens per answer (default: the benchmark's, 32; hires 2).")
    int maxNewTokens;

    @Option(names = "--strict", description = "Stop at the first malformed data row (exit 2 naming file and line).")
    boolean strict;

    @Option(names = "--reading", defaultValue = "official", paramLabel = "READING", description = "official "
            + "(default): score as the benchmark's reference script reads and counts answers; lenient: the toolkit's "
            + "forgiving reading (docs/evaluation.md).")
    String reading;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Benchmark b;
        try {
            b = Benchmark.get(benchmark);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--benchmark: " + e.getMessage());
        }
        if (batch < 1 || limit < 0 || maxNewTokens < 0) {
            throw new InvalidInputException("--batch must be at least 1 and --limit, --max-new-tokens at least 0, got "
                    + batch + ", " + limit + ", " + maxNewTokens);
        }
        Reading rd;
        try {
            rd = Reading.parse(reading);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--" + e.getMessage());
        }
        ChatTemplate tpl = ModelDirectory.chatTemplate(model, template);
        BenchmarkData bd = b.load(data, images, LoadOptions.builder().strict(strict).images(true).build());
        PrintWriter o = spec.commandLine().getOut();
        for (LoadReport lr : bd.reports()) {
            o.println(lr.file() + ": " + lr.summary());
            lr.firstProblems().forEach(p -> o.println("  " + p));
        }
        String id = modelId(model);
        Path dir = out != null ? out : Path.of("runs", "eval", id + "-" + bd.benchmark());
        try (NDManager m = deviceOption.newManager(); TextTokenizer tok = TextTokenizer.load(model)) {
            InfLlavaModel mdl = InfLlavaModel.fromPretrained(model, vision, m);
            tok.checkFits(mdl.llm().config().vocabSize(), model.resolve("config.json"));
            JsonObject prov = new JsonObject();
            prov.addProperty("model_dir", model.toAbsolutePath().normalize().toString());
            prov.addProperty("model_config_sha256", Provenance.sha256(model.resolve("config.json")));
            prov.addProperty("data", data.toAbsolutePath().normalize().toString());
            JsonObject digests = new JsonObject();
            bd.files().forEach(f -> digests.addProperty(f.toString(), Provenance.sha256(f)));
            prov.add("data_sha256", digests);
            prov.addProperty("git_commit", Provenance.gitCommit());
            prov.addProperty("toolkit_version", VersionCommand.toolkitVersion());
            EvalResult r = Evaluator.builder().setModel(mdl).setTokenizer(tok).optTemplate(tpl).optModelId(id)
                    .optBatchSize(batch).optMaxNewTokens(maxNewTokens).optLimit(limit)
                    .optStopTokens(ModelDirectory.stopTokens(model, tok, tpl)).optProvenance(prov).optReading(rd)
                    .optOutput(spec.commandLine().getErr()).build().run(bd, dir);
            o.println(r.table().print());
            o.printf("eval %s (%s reading): accuracy %.4f on %d question(s) (%d answered now, %d reused; %d "
                    + "unanswered, %d unreadable) in %.1f s%n", bd.benchmark(), r.reading().label(),
                    r.score().accuracy(), r.score().questions(),
                    r.answeredNow(), r.reused(), r.score().unanswered().size(), r.score().unparsed().size(),
                    r.seconds());
            o.println("wrote " + dir.resolve("predictions.jsonl") + ", " + dir.resolve("summary.md"));
        }
        return 0;
    }

    /** The model's name: its folder's, or for a lab model ({@code <name>/model}) the parent's. */
    static String modelId(Path modelDir) {
        Path abs = modelDir.toAbsolutePath().normalize();
        String name = abs.getFileName() == null ? "model" : abs.getFileName().toString();
        if (name.equals("model") && abs.getParent() != null && abs.getParent().getFileName() != null) {
            return abs.getParent().getFileName().toString();
        }
        return name;
    }
}
