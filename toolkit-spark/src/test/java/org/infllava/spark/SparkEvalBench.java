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
 * the same random model and POPE file, in one JVM, one after another. Spark's start-up is reported apart; "warm" runs
 * reuse the model an executor already loaded, "cold" includes loading it.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl toolkit-spark -am
 * java $(toolkit-spark/target/opens) -cp toolkit-spark/target/test-classes:toolkit-spark/target/toolkit-spark.jar:$(cat \
 *     toolkit-spark/target/classpath.txt) org.infllava.spark.SparkEvalBench [questions] [max-new-tokens]
 * </pre>
 */
public final class SparkEvalBench {

    private SparkEvalBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 48;
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int batch = 8;
        Path dir = Files.createTempDirectory("infllava-spark-bench-");
        Path model = Tiny.model(dir, "bench-model", 128, 4, 56, 128, 4);
        Path pope = Tiny.pope(dir, n);
        System.out.printf(Locale.ROOT, "model: CLIP d=128 x4 layers on 56 px (2x2 DCM + DEM), LLaMA d=128 x4 layers; "
                + "%d POPE questions, %d new tokens, batch %d; %d cores, torch threads %s%n", n, tokens, batch,
                Runtime.getRuntime().availableProcessors(), System.getProperty("ai.djl.pytorch.num_threads", "default"));
        double single = 0;
        for (int rep = 0; rep < 2; rep++) {
            EvalResult r = Tiny.singleProcess(model, pope, dir.resolve("single-" + rep), batch, tokens);
            single = r.asked() / r.seconds();
            System.out.printf(Locale.ROOT, "one process (infllava eval's Evaluator), run %d: %.2f questions/s (%.1f s)%n",
                    rep + 1, single, r.seconds());
        }
        double[] warm = new double[3];
        for (int threads = 1; threads <= 2; threads++) {
            long t0 = System.nanoTime();
            SparkSession s = SparkMain.session("local[" + threads + "]", "bench");
            System.out.printf(Locale.ROOT, "local[%d]: Spark start-up %.1f s%n", threads, (System.nanoTime() - t0) / 1e9);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
            for (int rep = 0; rep < 2; rep++) {
                EvalResult r = SparkEval.builder().setSpark(jsc).setModelDir(model).optBatchSize(batch)
                        .optMaxNewTokens(tokens).build().run("pope", pope, null, dir.resolve("spark-" + threads + "-"
                                + rep));
                boolean same = Files.readString(r.outDir().resolve("predictions.jsonl")).equals(Files.readString(
                        dir.resolve("single-0").resolve("predictions.jsonl")));
                double qps = r.asked() / r.seconds();
                boolean cold = threads == 1 && rep == 0;
                System.out.printf(Locale.ROOT, "spark local[%d], %s: %.2f questions/s (%.1f s), predictions %s%n",
                        threads, cold ? "cold (executor loads the model)" : "warm", qps, r.seconds(),
                        same ? "identical to one process" : "DIFFERENT");
                if (!cold) {
                    warm[threads] = qps;
                }
            }
            s.stop();
        }
        System.out.printf(Locale.ROOT, "ratios to one process (warm): local[1] %.2f, local[2] %.2f%n",
                warm[1] / single, warm[2] / single);
    }
}
