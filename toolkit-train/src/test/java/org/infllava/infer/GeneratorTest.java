package org.infllava.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.infllava.model.LlamaDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static NDManager manager;
    private static LlamaDecoder llm;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager("PyTorch");
        llm = LlamaDecoder.fromPretrained(GOLDEN.resolve("llama"), manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static long[] ids(String name) {
        HostTensor t = NpyArrays.read(GOLDEN.resolve(name + ".npy"));
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) t.data()[i];
        }
        return out;
    }

    /** Greedy with the KV cache reproduces PyTorch's full-recompute greedy decode (make_model_goldens.py). */
    @Test
    void greedyMatchesPyTorchAndStreamsEveryToken() {
        try (NDManager m = manager.newSubManager()) {
            List<Long> streamed = new ArrayList<>();
            long[] out = new Generator(llm).generate(new ParameterStore(m, false), m, ids("llama_ids"),
                    GenerationConfig.greedy(8), (row, tok) -> streamed.add(tok));
            assertArrayEquals(ids("llama_greedy"), out);
            assertEquals(8, streamed.size());
            // A stop token ends the sequence and is included: the greedy sequence is 14,14,14,14,14,27,...
            long[] stopped = new Generator(llm).generate(new ParameterStore(m, false), m, ids("llama_ids"),
                    GenerationConfig.greedy(8, 27), null);
            assertArrayEquals(new long[] {14, 14, 14, 14, 14, 27}, stopped);
        }
    }

    /** A left-padded batch generates, row by row, what each prompt generates alone. */
    @Test
    void batchedEqualsOneByOne() {
        try (NDManager m = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            long[] a = ids("llama_ids"); // 12 tokens
            long[] b = java.util.Arrays.copyOfRange(a, 0, 7); // 7 tokens: left-pad by 5
            long[] padded = new long[24];
            float[] mask = new float[24];
            for (int i = 0; i < 12; i++) {
                padded[i] = a[i];
                mask[i] = 1;
            }
            for (int i = 0; i < 7; i++) {
                padded[12 + 5 + i] = b[i];
                mask[12 + 5 + i] = 1;
            }
            NDArray embeds = llm.embed(ps, m.create(padded, new Shape(2, 12)), false);
            List<long[]> batch = new Generator(llm).generate(ps, embeds, m.create(mask, new Shape(2, 12)),
                    GenerationConfig.greedy(6), null);
            Generator g = new Generator(llm);
            assertArrayEquals(g.generate(ps, m, a, GenerationConfig.greedy(6), null), batch.get(0));
            assertArrayEquals(g.generate(ps, m, b, GenerationConfig.greedy(6), null), batch.get(1));
        }
    }

    @Test
    void samplingIsSeededAndTopKOneIsGreedy() {
        try (NDManager m = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            Generator g = new Generator(llm);
            GenerationConfig hot = new GenerationConfig(10, 1.5f, 0, 1f, 42, new long[0]);
            long[] x = g.generate(ps, m, ids("llama_ids"), hot, null);
            long[] y = g.generate(ps, m, ids("llama_ids"), hot, null);
            long[] z = g.generate(ps, m, ids("llama_ids"), new GenerationConfig(10, 1.5f, 0, 1f, 43, new long[0]), null);
            assertArrayEquals(x, y);
            assertNotEquals(java.util.Arrays.toString(x), java.util.Arrays.toString(z));
            long[] k1 = g.generate(ps, m, ids("llama_ids"), new GenerationConfig(8, 1.5f, 1, 1f, 7, new long[0]), null);
            assertArrayEquals(ids("llama_greedy"), k1);
        }
    }

    /**
     * Top-p on hand-made logits: softmax of (log 0.5, log 0.3, log 0.2) is (0.5, 0.3, 0.2); top-p 0.6 keeps the
     * first two (0.5 < 0.6 ≤ 0.8), so token 2 is never drawn; top-p 0.5 keeps token 0 only.
     */
    @Test
    void topPCutsTheTail() {
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        SplittableRandom r = new SplittableRandom(1);
        int[] counts = new int[3];
        for (int i = 0; i < 2000; i++) {
            counts[(int) Generator.pick(logits, new GenerationConfig(1, 1f, 0, 0.6f, 0, new long[0]), r)]++;
        }
        assertEquals(0, counts[2]);
        assertTrue(counts[0] > counts[1] && counts[1] > 500, java.util.Arrays.toString(counts)); // ≈ 1250 : 750
        for (int i = 0; i < 50; i++) {
            assertEquals(0, Generator.pick(logits, new GenerationConfig(1, 1f, 0, 0.5f, 0, new long[0]), r));
        }
    }
}
