package org.infllava.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.infllava.eval.EvalResult;

/**
 * Benchmark (not a test): questions per second of one evaluation answered by {@link org.infllava.eval.Evaluator} in one
 * process (what {@code infllava eval} runs) and by {@link SparkEval} in local mode with 1 and 2 executor threads, on
 * the same random model and POPE file, in one JVM, in interleaved rounds (the median is reported). Spark's session
 * start-up is reported apart; the first Spark run includes the executor loading the model (later runs reuse it). The
 * one-process runs are on a thread of their own, as Spark's tasks are; a first run on the main thread warms up.
 *
 * <p>Run it with {@code bench/spark_eval.sh [questions] [max-new-tokens] [rounds]}.
 */
public final class SparkEvalBench {

    private SparkEvalBench() {}

    /** The file's lines, which hold question id, prompt, answer and model id. */
    private static java.util.List<String> texts(Path out) throws java.io.IOException {
        return Files.readAllLines(out.resolve("predictions.jsonl"));
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int batch = 8;
        Path dir = Files.createTempDirectory("infllava-spark-bench-");
        Path model = Tiny.model(dir, "bench-model", 64, 2, 56, 64, 2);
        Path pope = Tiny.pope(dir, n);
        System.out.printf(Locale.ROOT, "model: CLIP d=64 x2 layers on 56 px (2x2 DCM + DEM), LLaMA d=64 x2 layers; "
                + "%d POPE questions, %d new tokens, batch %d; %d cores, torch threads %s%n", n, tokens, batch,
                Runtime.getRuntime().availableProcessors(), System.getProperty("ai.djl.pytorch.num_threads", "default"));
        // Warm-up and the main-thread figure (what `infllava eval` runs on): the model loaded, PyTorch initialised.
        EvalResult main = Tiny.singleProcess(model, pope, dir.resolve("single-main"), batch, tokens);
        System.out.printf(Locale.ROOT, "one process, main thread (warm-up): %.2f questions/s (%.1f s)%n",
                main.asked() / main.seconds(), main.seconds());
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        double[][] qps = new double[3][rounds];
        for (int round = 0; round < rounds; round++) {
            // One process on a thread of its own (Spark's tasks, too, run on pooled threads).
            EvalResult[] onThread = new EvalResult[1];
            int rr = round;
            Thread t = new Thread(() -> onThread[0] = Tiny.singleProcess(model, pope, dir.resolve("single-" + rr),
                    batch, tokens));
            t.start();
            t.join();
            qps[0][round] = onThread[0].asked() / onThread[0].seconds();
            for (int threads = 1; threads <= 2; threads++) {
                long t0 = System.nanoTime();
                SparkSession s = SparkMain.session("local[" + threads + "]", "bench");
                double startup = (System.nanoTime() - t0) / 1e9;
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
                EvalResult r = SparkEval.builder().setSpark(jsc).setModelDir(model).optModelId("tiny-paper")
                        .optBatchSize(batch).optMaxNewTokens(tokens).build().run("pope", pope, null,
                                dir.resolve("spark-" + threads + "-" + round));
                boolean same = texts(r.outDir()).equals(texts(dir.resolve("single-" + round)));
                qps[threads][round] = r.asked() / r.seconds();
                System.out.printf(Locale.ROOT, "round %d: one process %.2f q/s; spark local[%d] %.2f q/s (%.1f s; "
                        + "session start %.1f s%s), predictions %s%n", round + 1, qps[0][round], threads,
                        qps[threads][round], r.seconds(), startup, round == 0 && threads == 1
                                ? ", executor loads the model" : "", same ? "identical" : "DIFFERENT");
                s.stop();
            }
        }
        double[] med = new double[3];
        for (int k = 0; k < 3; k++) {
            double[] v = qps[k].clone();
            java.util.Arrays.sort(v);
            med[k] = v[v.length / 2];
        }
        System.out.printf(Locale.ROOT, "median of %d rounds: one process %.2f q/s, local[1] %.2f q/s (%.2fx), local[2] "
                + "%.2f q/s (%.2fx)%n", rounds, med[0], med[1], med[1] / med[0], med[2], med[2] / med[0]);
    }
}
