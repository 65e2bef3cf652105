package org.infllava.spark;

import java.io.Serializable;
import java.nio.file.Path;
import org.infllava.eval.Benchmark;
import org.infllava.eval.BenchmarkData;
import org.infllava.eval.bench.LoadOptions;

/**
 * What an executor needs to answer its share of a distributed evaluation: where the model and the benchmark are (paths
 * every executor can read: a shared or replicated file system) and how to answer. Only this small record travels with
 * a task; the model and the questions are loaded on the executor, once per JVM ({@link Workers}).
 *
 * @param modelDir the model directory
 * @param visionDir the CLIP tower, or {@code null} for the one the model directory names
 * @param template the chat template's name
 * @param batchSize questions per generation batch on an executor
 * @param maxNewTokens most tokens per answer (resolved: never 0)
 * @param benchmark the benchmark's registry name
 * @param data the benchmark's file or folder
 * @param images the image folder, or {@code null} for the benchmark's default
 * @param strict whether a malformed data row is an error (else skipped, as on the driver)
 */
public record EvalSpec(String modelDir, String visionDir, String template, int batchSize, int maxNewTokens,
        String benchmark, String data, String images, boolean strict) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** This spec with answers of at most {@code tokens} tokens. */
    public EvalSpec withMaxNewTokens(int tokens) {
        return new EvalSpec(modelDir, visionDir, template, batchSize, tokens, benchmark, data, images, strict);
    }

    /** The model directory as a path. */
    public Path modelPath() {
        return Path.of(modelDir);
    }

    /** The CLIP tower as a path, or {@code null}. */
    public Path visionPath() {
        return visionDir == null ? null : Path.of(visionDir);
    }

    /** Reads the benchmark as {@code infllava eval} does (images decoded when a question is answered). */
    public BenchmarkData load() {
        return Benchmark.get(benchmark).load(Path.of(data), images == null ? null : Path.of(images),
                LoadOptions.builder().strict(strict).images(true).build());
    }

    /** What identifies the loaded model in an executor's cache. */
    String modelKey() {
        return modelDir + "|" + visionDir + "|" + template + "|" + batchSize;
    }

    /** What identifies the loaded questions in an executor's cache. */
    String dataKey() {
        return benchmark + "|" + data + "|" + images + "|" + strict;
    }
}
