package org.infllava.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The order of an epoch: a seeded shuffle, optionally grouped by length as LLaVA's length-grouped sampler does
 * (mega-batches of {@code batch·groups} samples, each sorted by length, then cut into batches), so padding stays
 * small. Deterministic for a seed and epoch, so a resumed run sees the same order.
 */
public final class Batches {

    private Batches() {}

    /**
     * Batches of sample indices for one epoch.
     *
     * @param lengths expanded length of each sample
     * @param groups mega-batch size in batches (0 = no length grouping)
     */
    public static List<int[]> epoch(int[] lengths, int batchSize, int groups, long seed, int epoch) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        if (groups > 0) {
            int mega = batchSize * groups;
            for (int s = 0; s < order.size(); s += mega) {
                List<Integer> part = order.subList(s, Math.min(order.size(), s + mega));
                part.sort(Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
            }
        }
        List<int[]> batches = new ArrayList<>();
        for (int s = 0; s < order.size(); s += batchSize) {
            batches.add(order.subList(s, Math.min(order.size(), s + batchSize)).stream().mapToInt(Integer::intValue)
                    .toArray());
        }
        return batches;
    }
}
