package org.infllava.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.infllava.model.LlamaDecoder;
import org.junit.jupiter.api.Test;

/**
 * Several threads generating with one model at once (a notebook's thread pool, an evaluator): each call with its own
 * {@link NDManager} and {@link ParameterStore} gives exactly the answer of the same call made alone, so generation is
 * safe to share across threads that way (docs/reliability.md).
 */
class ConcurrentGenerationTest {

    @Test
    void threadsSharingAModelAnswerAsSequentialCallsDo() throws Exception {
        Path golden = GeneratorTest.GOLDEN;
        HostTensor t = NpyArrays.read(golden.resolve("llama_ids.npy"));
        long[] full = new long[t.size()];
        for (int i = 0; i < full.length; i++) {
            full[i] = (long) t.data()[i];
        }
        List<long[]> prompts = new ArrayList<>();
        for (int len = 3; len <= full.length; len++) {
            prompts.add(Arrays.copyOf(full, len));
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            LlamaDecoder llm = LlamaDecoder.fromPretrained(golden.resolve("llama"), manager);
            List<long[]> sequential = new ArrayList<>();
            for (long[] p : prompts) {
                sequential.add(generate(llm, manager, p));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 2; round++) {
                    List<Future<long[]>> futures = new ArrayList<>();
                    for (long[] p : prompts) {
                        futures.add(pool.submit(() -> generate(llm, manager, p)));
                    }
                    for (int i = 0; i < prompts.size(); i++) {
                        assertArrayEquals(sequential.get(i), futures.get(i).get(), "prompt " + i + ", round " + round);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static long[] generate(LlamaDecoder llm, NDManager manager, long[] prompt) {
        try (NDManager m = manager.newSubManager()) {
            return new Generator(llm).generate(new ParameterStore(m, false), m, prompt, GenerationConfig.greedy(6),
                    null);
        }
    }
}
