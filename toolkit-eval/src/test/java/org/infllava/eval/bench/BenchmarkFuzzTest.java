package org.infllava.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.infllava.io.HostileInput;

/**
 * Fuzz targets of the benchmark loaders (the property: {@link HostileInput}), each read lenient and strict. Regression
 * inputs live in {@code src/test/resources/org/infllava/eval/bench/BenchmarkFuzzTestInputs/<target>}.
 */
class BenchmarkFuzzTest {

    private static final long MAX_PIXELS = 1 << 18;

    /** POPE JSONL. */
    @FuzzTest
    void pope(byte[] input) {
        Path f = HostileInput.write("pope.jsonl", input);
        for (LoadOptions o : options()) {
            PopeFile p = HostileInput.checkFile(f, input.length, 0, () -> PopeFile.read(f, o));
            if (p != null) {
                consistent(p.report(), p.questions().size(), o);
            }
        }
    }

    /** ScienceQA {@code problems.json}, images under a root holding {@code a.png}. */
    @FuzzTest
    void scienceQa(byte[] input) {
        Path f = HostileInput.write("problems.json", input);
        for (LoadOptions o : options()) {
            ScienceQaFile p = HostileInput.checkFile(f, input.length, 0, () -> ScienceQaFile.read(f, imageRoot(), o));
            if (p != null) {
                consistent(p.report(), p.problems().size(), o);
            }
        }
    }

    /** MMBench TSV, with its base64 images decoded under a pixel limit. */
    @FuzzTest
    void mmBench(byte[] input) {
        Path f = HostileInput.write("mmbench.tsv", input);
        for (LoadOptions o : options()) {
            MmBenchFile p = HostileInput.checkFile(f, input.length, 0, () -> MmBenchFile.read(f, o));
            if (p != null) {
                consistent(p.report(), p.rows().size(), o);
                for (MmBenchFile.Row r : p.rows()) {
                    HostileInput.check(input.length, 32 * MAX_PIXELS, () -> r.image(MAX_PIXELS));
                    if (p.hasAnswers()) {
                        assertTrue(r.answer() >= 0 && r.answer() < r.options().size(), "answers name an option");
                    }
                }
            }
        }
    }

    /** SEED-Bench JSON, images under a root holding {@code a.png}. */
    @FuzzTest
    void seedBench(byte[] input) {
        Path f = HostileInput.write("seed.json", input);
        for (LoadOptions o : options()) {
            SeedBenchFile p = HostileInput.checkFile(f, input.length, 0, () -> SeedBenchFile.read(f, imageRoot(), o));
            if (p != null) {
                consistent(p.report(), p.questions().size(), o);
            }
        }
    }

    /**
     * VQA questions and annotations: the input up to its first NUL byte is the questions file, the rest the
     * annotations; with nothing before the NUL, the annotations file is read alone (TextVQA).
     */
    @FuzzTest
    void vqa(byte[] input) {
        int cut = 0;
        while (cut < input.length && input[cut] != 0) {
            cut++;
        }
        Path q = HostileInput.write("questions.json", Arrays.copyOf(input, cut));
        Path a = HostileInput.write("annotations.json", Arrays.copyOfRange(input, Math.min(cut + 1, input.length),
                input.length));
        for (LoadOptions o : options()) {
            Path questions = cut == 0 ? null : q;
            VqaFiles v = HostileInput.checkFile(q, input.length, 0, () -> VqaFiles.read(questions, a, o));
            if (v != null) {
                consistent(v.annotationsReport(), -1, o);
                if (v.questionsReport() != null) {
                    consistent(v.questionsReport(), -1, o);
                }
                v.questions().forEach(x -> assertTrue(x.answers() != null));
            }
        }
    }

    private static LoadOptions[] options() {
        return new LoadOptions[] {LoadOptions.defaults(), LoadOptions.builder().strict(true).build()};
    }

    private static Path imageRoot() {
        Path root = HostileInput.dir().resolve("images");
        try {
            if (!Files.exists(root.resolve("a.png"))) {
                Files.createDirectories(root);
                Files.write(root.resolve("a.png"), new byte[] {1});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    /** Every row is kept or counted; strict loads count no malformed row; messages are one short line. */
    private static void consistent(LoadReport r, int kept, LoadOptions o) {
        if (kept >= 0) {
            assertEquals(kept, r.kept(), "the report counts the rows returned");
        }
        assertTrue(r.kept() <= r.rows(), "kept rows are rows: " + r);
        assertTrue(!o.strict() || r.malformedCount() == 0, "a strict load keeps no malformed row");
        r.firstProblems().forEach(p -> assertTrue(p.length() < 600 && p.indexOf('\n') < 0, p));
    }
}
