package org.infllava.infer;

import java.util.Arrays;

/**
 * How to pick tokens. Temperature 0 is greedy; otherwise logits are divided by the temperature, cut to the top-k
 * (0 = all) and to the smallest set whose probability reaches top-p (1 = all), and sampled with a seeded generator.
 *
 * @param maxNewTokens the most tokens to generate
 * @param temperature 0 for greedy
 * @param topK keep the k most likely tokens (0 = no limit)
 * @param topP keep the most likely tokens up to this total probability
 * @param seed the sampling seed
 * @param stopTokens generation of a sequence ends after any of these
 */
public record GenerationConfig(int maxNewTokens, float temperature, int topK, float topP, long seed,
        long[] stopTokens) {

    /** Validates, naming the values. */
    public GenerationConfig {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (temperature < 0 || topK < 0 || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("need temperature >= 0, topK >= 0, 0 < topP <= 1; got temperature="
                    + temperature + " topK=" + topK + " topP=" + topP);
        }
        stopTokens = stopTokens.clone();
    }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at {@code stopTokens}. */
    public static GenerationConfig greedy(int maxNewTokens, long... stopTokens) {
        return new GenerationConfig(maxNewTokens, 0f, 0, 1f, 0, stopTokens);
    }

    /** Whether {@code token} ends a sequence. */
    public boolean isStop(long token) {
        return Arrays.stream(stopTokens).anyMatch(s -> s == token);
    }
}
