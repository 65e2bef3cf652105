package org.infllava.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.infllava.eval.EvalResult;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infllava-spark}: the toolkit's Spark commands, for {@code ./infllava-spark} (or {@code ./infllava eval --spark
 * MASTER ...}, which hands over to it) and for {@code spark-submit} with the module's assembly jar. {@code eval} takes
 * {@code infllava eval}'s options and writes the same files; {@code features} writes pre-projector visual features as
 * Parquet. Bad input exits 2 with one line naming the file or row.
 */
@Command(name = "infllava-spark", mixinStandardHelpOptions = true, versionProvider = SparkMain.Version.class,
        subcommands = {SparkMain.Eval.class, SparkMain.Features.class},
        description = "Distributed evaluation and feature extraction on Apache Spark (local mode or a cluster).")
public final class SparkMain implements Runnable {

    /** Exit code for bad input. */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof InvalidInputException) {
                cmd.getErr().println("infllava-spark: " + e.getMessage());
                cmd.getErr().flush();
                return EXIT_BAD_INPUT;
            }
            throw e;
        });
        return cl.execute(args);
    }

    /** The command line's entry point. */
    public static void main(String[] args) {
        int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }

    /**
     * The Spark session: a new one on {@code master} when given, else the one {@code spark-submit} configured. In local
     * mode the UI is off and the driver binds to the loopback address.
     */
    static SparkSession session(String master, String appName) {
        SparkConf conf = new SparkConf(true).setAppName(appName);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            throw new InvalidInputException("--spark: no Spark master; pass --spark local[2] (this machine, 2 task "
                    + "threads) or run under spark-submit --master ...");
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** {@code eval}: {@code infllava eval} with the questions answered on Spark executors. */
    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Answer a benchmark on Spark executors, score it, write predictions and a summary (the "
                + "files of infllava eval); reruns resume.",
                "Paths must be readable at the same place on the driver and every executor."})
    static final class Eval implements Callable<Integer> {
        @Option(names = "--spark", paramLabel = "MASTER",
                description = "Spark master: local[N] (this machine, N task threads), spark://..., yarn, k8s://... "
                    + "(default: spark-submit's --master).")
        String master;

        @Option(names = "--partitions", defaultValue = "0", paramLabel = "P",
                description = "Partitions the questions are split into (default: one per batch).")
        int partitions;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
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
                description = "Questions per generation batch on an executor (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--out", paramLabel = "DIR",
                description = "Output folder (default: runs/eval/<model>-<benchmark>; a rerun into it resumes).")
        Path out;

        @Option(names = "--vision", paramLabel = "DIR", description = "CLIP tower (default: the config's).")
        Path vision;

        @Option(names = "--template", paramLabel = "NAME",
                description = "Chat template (default: the one the model directory records, else llama3).")
        String template;

        @Option(names = "--max-new-tokens", defaultValue = "0", paramLabel = "N",
                description = "Most tokens per answer (default: the benchmark's).")
        int maxNewTokens;

        @Option(names = "--strict", description = "Stop at the first malformed data row (exit 2 naming file and line).")
        boolean strict;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            SparkEval ev = SparkEval.builder().setModelDir(model).optVision(vision)
                    .optTemplate(template).optBatchSize(batch).optMaxNewTokens(maxNewTokens).optLimit(limit)
                    .optPartitions(partitions).optStrict(strict).optOutput(spec.commandLine().getErr())
                    .setSpark(JavaSparkContext.fromSparkContext(session(master, "infllava eval").sparkContext()))
                    .build();
            PrintWriter o = spec.commandLine().getOut();
            Path dir = out != null ? out : Path.of("runs", "eval", SparkEval.modelId(model) + "-" + benchmark);
            EvalResult r = ev.run(benchmark, data, images, dir);
            r.reports().forEach(lr -> {
                o.println(lr.file() + ": " + lr.summary());
                lr.firstProblems().forEach(p -> o.println("  " + p));
            });
            o.println(r.table().print());
            o.printf("eval %s on spark: accuracy %.4f on %d question(s) (%d answered now, %d reused; %d unanswered, %d "
                    + "unreadable) in %.1f s%n", r.benchmark(), r.score().accuracy(), r.score().questions(),
                    r.answeredNow(), r.reused(), r.score().unanswered().size(), r.score().unparsed().size(),
                    r.seconds());
            o.println("wrote " + dir.resolve("predictions.jsonl") + ", " + dir.resolve("summary.md"));
            return 0;
        }
    }

    /** {@code features}: pre-projector visual features of a folder of images, as Parquet. */
    @Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Extract every image's pre-projector visual features on Spark executors into a Parquet "
                + "folder (image_id, front_end, shape, values).")
    static final class Features implements Callable<Integer> {
        @Option(names = "--spark", paramLabel = "MASTER", description = "Spark master (default: spark-submit's).")
        String master;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
        Path model;

        @Option(names = "--images", required = true, paramLabel = "DIR", description = "The images (any depth).")
        Path images;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The new Parquet folder.")
        Path out;

        @Option(names = "--vision", paramLabel = "DIR", description = "CLIP tower (default: the config's).")
        Path vision;

        @Option(names = "--partitions", defaultValue = "0", paramLabel = "P",
                description = "Partitions the images are split into (default: Spark's default parallelism).")
        int partitions;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            FeatureExtractor fx = FeatureExtractor.builder().setSpark(session(master, "infllava features"))
                    .setModelDir(model).optVision(vision).optPartitions(partitions).build();
            long n = fx.run(images, out);
            spec.commandLine().getOut().println("features: " + n + " image(s) → " + out);
            return 0;
        }
    }

    /** The version line. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"infllava-spark " + SparkEval.toolkitVersion() + " (Spark "
                    + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ")"};
        }
    }
}
