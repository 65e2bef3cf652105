package org.infllava.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.infllava.model.GradMode;
import org.infllava.model.KvCache;
import org.infllava.model.LlamaDecoder;
import org.infllava.nn.NamedBlock;

/**
 * Autoregressive generation with a KV cache: one prefill of the prompt, then one position per step, so the cost per
 * new token does not grow with the prompt's length beyond attention over the cache. Batches are left-padded: every
 * row's last prompt token sits in the last column, position ids count real tokens only. Autograd is off while it
 * decodes ({@link GradMode}), so no graph grows with the KV cache on threads where it is on.
 */
public final class Generator {

    /** The logits of the last position, {@code (B, T, V)} → {@code (B, V)}. */
    private static final ai.djl.ndarray.index.NDIndex LAST_POSITION = new ai.djl.ndarray.index.NDIndex(":, -1, :");

    /** Receives each new token of each row as it is chosen. */
    @FunctionalInterface
    public interface TokenListener {
        /** Row {@code row} got {@code token}. */
        void onToken(int row, long token);
    }

    private final LlamaDecoder llm;

    /** A generator for this decoder. */
    public Generator(LlamaDecoder llm) {
        this.llm = llm;
    }

    /** Generates from token ids (no images). */
    public long[] generate(ParameterStore ps, NDManager manager, long[] prompt, GenerationConfig config,
            TokenListener listener) {
        NDArray ids = manager.create(prompt, new Shape(1, prompt.length));
        return generate(ps, llm.embed(ps, ids, false), null, config, listener).get(0);
    }

    /**
     * Generates for a batch of prompt embeddings.
     *
     * @param embeds {@code (B, T, d)}, left-padded
     * @param keyMask {@code (B, T)}, 1 on real tokens; {@code null} when no row is padded
     * @return the new tokens of each row, up to and including a stop token
     */
    public List<long[]> generate(ParameterStore ps, NDArray embeds, NDArray keyMask, GenerationConfig config,
            TokenListener listener) {
        try (GradMode off = GradMode.disabled()) {
            return decode(ps, embeds, keyMask, config, listener);
        }
    }

    private List<long[]> decode(ParameterStore ps, NDArray embeds, NDArray keyMask, GenerationConfig config,
            TokenListener listener) {
        NDManager m = embeds.getManager();
        int b = (int) embeds.getShape().get(0);
        long t = embeds.getShape().get(1);
        List<List<Long>> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            out.add(new ArrayList<>());
        }
        boolean[] done = new boolean[b];
        SplittableRandom random = new SplittableRandom(config.seed());
        try (NDManager scratch = m.newSubManager(); KvCache cache = new KvCache()) {
            NDArray mask = keyMask == null ? scratch.ones(new Shape(b, t)) : keyMask;
            // Position ids of a left-padded batch: count of real tokens before each, pads get 1 (HF convention).
            float[] maskHost = mask.toFloatArray();
            float[] pos = new float[b * (int) t];
            float[] next = new float[b];
            for (int r = 0; r < b; r++) {
                int c = 0;
                for (int j = 0; j < t; j++) {
                    float real = maskHost[r * (int) t + j];
                    pos[r * (int) t + j] = real > 0 ? c++ : 1;
                }
                next[r] = c;
            }
            NDArray logits;
            try (NDScope scope = new NDScope()) {
                logits = NamedBlock.slice(llm.forward(ps, embeds, mask, scratch.create(pos, new Shape(b, t)), cache,
                        false), LAST_POSITION); // (B, V)
                keep(logits, cache);
            }
            for (int step = 0; step < config.maxNewTokens(); step++) {
                float[] host = logits.toFloatArray();
                int v = (int) logits.getShape().get(1);
                long[] chosen = new long[b];
                for (int r = 0; r < b; r++) {
                    chosen[r] = done[r] ? 0 : pick(Arrays.copyOfRange(host, r * v, (r + 1) * v), config, random);
                    if (!done[r]) {
                        out.get(r).add(chosen[r]);
                        if (listener != null) {
                            listener.onToken(r, chosen[r]);
                        }
                        done[r] = config.isStop(chosen[r]);
                    }
                }
                boolean all = true;
                for (boolean d : done) {
                    all &= d;
                }
                if (all || step == config.maxNewTokens() - 1) {
                    break;
                }
                float[] stepPos = new float[b];
                float[] ids = new float[b];
                for (int r = 0; r < b; r++) {
                    stepPos[r] = next[r]++;
                    ids[r] = chosen[r];
                }
                try (NDScope scope = new NDScope()) {
                    NDArray tok = scratch.create(ids, new Shape(b, 1));
                    NDArray newLogits = NamedBlock.slice(llm.logits(ps, tok, scratch.ones(new Shape(b, 1)),
                            scratch.create(stepPos, new Shape(b, 1)), cache, false), LAST_POSITION); // (B, V)
                    keep(newLogits, cache);
                    logits.close();
                    logits = newLogits;
                }
            }
            logits.close(); // unregistered from every scope: without this, one (B, V) array per call outlives it
        }
        List<long[]> result = new ArrayList<>();
        for (List<Long> row : out) {
            result.add(row.stream().mapToLong(Long::longValue).toArray());
        }
        return result;
    }

    /** Keeps what outlives a step's scope: the last logits and the cache, which grows inside the step. */
    private static void keep(NDArray logits, KvCache cache) {
        NDScope.unregister(logits);
        cache.unregisterFromScope();
    }

    /** Greedy argmax, or temperature / top-k / top-p sampling. */
    static long pick(float[] logits, GenerationConfig c, SplittableRandom random) {
        if (c.temperature() == 0f) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = c.topK() > 0 ? Math.min(c.topK(), logits.length) : logits.length;
        double max = logits[order[0]] / c.temperature();
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logits[order[i]] / c.temperature() - max);
            sum += p[i];
        }
        double cum = 0;
        int cut = keep;
        for (int i = 0; i < keep; i++) {
            cum += p[i] / sum;
            if (cum >= c.topP()) {
                cut = i + 1;
                break;
            }
        }
        double total = 0;
        for (int i = 0; i < cut; i++) {
            total += p[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < cut; i++) {
            u -= p[i];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[cut - 1];
    }
}
