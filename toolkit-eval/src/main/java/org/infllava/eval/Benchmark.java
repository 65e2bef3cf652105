package org.infllava.eval;

import java.nio.file.Path;
import java.util.List;
import org.infllava.common.Registry;
import org.infllava.eval.bench.LoadOptions;

/**
 * A benchmark a model can be evaluated on, registered by name: it reads local copies of the benchmark's files into
 * questions with prompts and a scorer. The paper's benchmarks and the lab's HiResSynth are {@link StandardBenchmark};
 * {@link #register} adds more.
 */
public interface Benchmark {

    /** The registry name. */
    String name();

    /** What {@code --data} must point at, for help and errors. */
    String dataHelp();

    /**
     * Reads the benchmark.
     *
     * @param data the benchmark's file or folder ({@link #dataHelp()})
     * @param images the image folder, or {@code null} for the benchmark's default next to {@code data}
     */
    BenchmarkData load(Path data, Path images, LoadOptions options);

    /**
     * The reading that scores this benchmark when {@code requested} is asked for: {@code requested}, unless the
     * benchmark has no local reference script (then {@link Reading#LENIENT}).
     */
    default Reading reading(Reading requested) {
        return requested;
    }

    /** The benchmark called {@code name} (case and {@code -}/{@code _} ignored). */
    static Benchmark get(String name) {
        return Holder.REGISTRY.get(name);
    }

    /** Registered names. */
    static List<String> names() {
        return Holder.REGISTRY.names();
    }

    /** Registers a benchmark under its name. */
    static void register(Benchmark benchmark) {
        Holder.REGISTRY.register(benchmark.name(), () -> benchmark);
    }

    /** Holder of the registry. */
    final class Holder {
        static final Registry<Benchmark> REGISTRY = Registry.of("benchmark", b -> b.name().toLowerCase(java.util.Locale.ROOT),
                (Benchmark[]) StandardBenchmark.values());

        private Holder() {}
    }
}
