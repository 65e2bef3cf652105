package org.infllava.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.eval.bench.LoadReport;

/**
 * A benchmark read from local files: the questions in file order and the scorer that judges answers to them.
 *
 * @param benchmark the benchmark's registry name
 * @param questions the questions, in file order
 * @param scorer scores predictions of a subset of the questions
 * @param reports what reading each file found (malformed and skipped rows by reason)
 * @param maxNewTokens the answer length the benchmark needs by default
 */
public record BenchmarkData(String benchmark, List<EvalQuestion> questions, Scorer scorer, List<LoadReport> reports,
        int maxNewTokens) {

    /** Scores answers to the questions {@code asked} (ids); questions outside it are not scored. */
    @FunctionalInterface
    public interface Scorer {
        /**
         * The score of {@code predictions} (id → answer text) over {@code asked}, read as {@code reading} says
         * (benchmarks without a local reference script read every answer {@link Reading#LENIENT}ly; see
         * {@link Benchmark#reading}).
         */
        ScoreReport score(List<String> asked, Map<String, String> predictions, Reading reading);

        /** The score under the {@link Reading#OFFICIAL} reading. */
        default ScoreReport score(List<String> asked, Map<String, String> predictions) {
            return score(asked, predictions, Reading.OFFICIAL);
        }
    }

    public BenchmarkData {
        questions = List.copyOf(questions);
        reports = List.copyOf(reports);
    }

    /** The data files that were read. */
    public List<Path> files() {
        return reports.stream().map(LoadReport::file).toList();
    }
}
