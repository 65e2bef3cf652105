package org.infllava.spark;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.infllava.eval.Benchmark;
import org.infllava.eval.BenchmarkData;
import org.infllava.eval.EvalResult;
import org.infllava.eval.Evaluator;
import org.infllava.eval.bench.LoadOptions;
import org.infllava.infer.ChatTemplate;
import org.infllava.io.InvalidInputException;
import org.infllava.model.ModelDirectory;
import org.infllava.train.Provenance;

/**
 * {@code infllava eval} on a Spark cluster: the driver reads the benchmark, runs the toolkit's {@link Evaluator} (the
 * same {@code run.json}, {@code predictions.jsonl}, {@code summary.json|csv|md} and resume rules) with a
 * {@link SparkAnswerer}, and the executors answer the questions in partitions, each loading the model directory once
 * per JVM. The model directory, the benchmark and its images must be readable at the same paths on the driver and
 * every executor (a shared file system).
 */
public final class SparkEval {

    private final JavaSparkContext spark;
    private final Path modelDir;
    private final Path vision;
    private final String template;
    private final String modelId;
    private final int batchSize;
    private final int maxNewTokens;
    private final int limit;
    private final int partitions;
    private final boolean strict;
    private final PrintWriter out;

    private SparkEval(Builder b) {
        this.spark = b.spark;
        this.modelDir = b.modelDir.toAbsolutePath().normalize();
        this.vision = b.vision == null ? null : b.vision.toAbsolutePath().normalize();
        this.template = b.template;
        this.modelId = b.modelId != null ? b.modelId : modelId(b.modelDir);
        this.batchSize = b.batchSize;
        this.maxNewTokens = b.maxNewTokens;
        this.limit = b.limit;
        this.partitions = b.partitions;
        this.strict = b.strict;
        this.out = b.out;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the benchmark (as {@code infllava eval}: malformed rows skipped and reported, or an error with
     * {@link Builder#optStrict}), answers what {@code outDir} lacks on the executors, scores and writes the summary.
     *
     * @param benchmark the benchmark's registry name
     * @param data its file or folder
     * @param images its image folder, or {@code null} for the default beside the data
     */
    public EvalResult run(String benchmark, Path data, Path images, Path outDir) {
        Benchmark b;
        try {
            b = Benchmark.get(benchmark);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--benchmark: " + e.getMessage());
        }
        return run(b.load(data, images, LoadOptions.builder().strict(strict).images(true).build()), data, images,
                outDir);
    }

    /** {@link #run(String, Path, Path, Path)} for benchmark data already read on the driver from {@code data}. */
    public EvalResult run(BenchmarkData bd, Path data, Path images, Path outDir) {
        ChatTemplate tpl = ModelDirectory.chatTemplate(modelDir, template);
        JsonObject prov = new JsonObject();
        prov.addProperty("model_dir", modelDir.toString());
        prov.addProperty("model_config_sha256", Provenance.sha256(modelDir.resolve("config.json")));
        prov.addProperty("data", data.toAbsolutePath().normalize().toString());
        JsonObject digests = new JsonObject();
        bd.files().forEach(f -> digests.addProperty(f.toString(), Provenance.sha256(f)));
        prov.add("data_sha256", digests);
        prov.addProperty("git_commit", Provenance.gitCommit());
        prov.addProperty("toolkit_version", toolkitVersion());
        prov.addProperty("answered_by", "spark " + spark.sc().master() + " (" + (partitions > 0 ? partitions
                + " partitions" : "one partition per batch") + ")");
        EvalSpec spec = new EvalSpec(modelDir.toString(), vision == null ? null : vision.toString(), tpl.name(),
                batchSize, 0, bd.benchmark(), data.toAbsolutePath().normalize().toString(),
                images == null ? null : images.toAbsolutePath().normalize().toString(), strict);
        return Evaluator.builder().optTemplate(tpl).optModelId(modelId).optBatchSize(batchSize)
                .optMaxNewTokens(maxNewTokens).optLimit(limit).optProvenance(prov).optOutput(out)
                .optAnswerer(new SparkAnswerer(spark, spec, partitions)).build().run(bd, outDir);
    }

    /** The model's name as {@code infllava eval} names it: its folder's, or for {@code <name>/model} the parent's. */
    static String modelId(Path modelDir) {
        Path abs = modelDir.toAbsolutePath().normalize();
        String name = abs.getFileName() == null ? "model" : abs.getFileName().toString();
        if (name.equals("model") && abs.getParent() != null && abs.getParent().getFileName() != null) {
            return abs.getParent().getFileName().toString();
        }
        return name;
    }

    /** The toolkit version of this module's jar. */
    static String toolkitVersion() {
        String v = SparkEval.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT (classes)" : v;
    }

    /** Builder: the Spark context and the model directory are required. */
    public static final class Builder {
        private JavaSparkContext spark;
        private Path modelDir;
        private Path vision;
        private String template;
        private String modelId;
        private int batchSize = 8;
        private int maxNewTokens;
        private int limit;
        private int partitions;
        private boolean strict;
        private PrintWriter out = new PrintWriter(Writer.nullWriter());

        private Builder() {}

        /** The driver's Spark context. Required. */
        public Builder setSpark(JavaSparkContext spark) {
            this.spark = spark;
            return this;
        }

        /** The model directory (the same path on every executor). Required. */
        public Builder setModelDir(Path modelDir) {
            this.modelDir = modelDir;
            return this;
        }

        /** The CLIP tower; default: the one the model's config names. */
        public Builder optVision(Path vision) {
            this.vision = vision;
            return this;
        }

        /** The chat template's name; default: the one the model directory records, else {@code llama3}. */
        public Builder optTemplate(String template) {
            this.template = template;
            return this;
        }

        /** The name in the predictions; default: as {@code infllava eval} names the model directory. */
        public Builder optModelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /** Questions per generation batch on an executor; default 8. */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Most tokens per answer; default 0: the benchmark's own. */
        public Builder optMaxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        /** Ask only the first {@code limit} questions; default 0: all. */
        public Builder optLimit(int limit) {
            this.limit = limit;
            return this;
        }

        /** Partitions the questions still to answer are split into; default 0: one per batch. */
        public Builder optPartitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** Stop at the first malformed data row; default false: skip and report it. */
        public Builder optStrict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** Where the progress bar goes; default nowhere. */
        public Builder optOutput(PrintWriter out) {
            this.out = out;
            return this;
        }

        /** Validates and builds. */
        public SparkEval build() {
            if (spark == null || modelDir == null) {
                throw new IllegalArgumentException("setSpark and setModelDir are required");
            }
            if (batchSize < 1 || maxNewTokens < 0 || limit < 0 || partitions < 0) {
                throw new InvalidInputException("--batch must be at least 1 and --limit, --max-new-tokens, "
                        + "--partitions at least 0, got batch=" + batchSize + " limit=" + limit + " max-new-tokens="
                        + maxNewTokens + " partitions=" + partitions);
            }
            return new SparkEval(this);
        }
    }
}
