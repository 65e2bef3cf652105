package org.infllava.cli;

/**
 * Whether memory stayed flat over a soak run: the samples after the warm-up (the first {@code warmupFraction} of
 * them) must stay within {@code tolerance} of the first sample after it, above and below.
 *
 * @param reference the first sample after the warm-up, in bytes
 * @param min the smallest sample after the warm-up
 * @param max the largest sample after the warm-up
 * @param last the last sample
 * @param flat whether {@code max ≤ (1 + tolerance)·reference} and {@code min ≥ (1 − tolerance)·reference}
 */
record SoakVerdict(long reference, long min, long max, long last, boolean flat) {

    /** The largest relative distance of a post-warm-up sample from the reference: {@code max(max−ref, ref−min)/ref}. */
    double spread() {
        return Math.max(max - reference, reference - min) / (double) reference;
    }

    /**
     * Judges {@code samples} (bytes, in time order).
     *
     * @param warmupFraction the share of the samples that is warm-up, in [0, 1)
     * @param tolerance the allowed relative distance from the reference, such as 0.05
     */
    static SoakVerdict of(long[] samples, double warmupFraction, double tolerance) {
        if (samples.length == 0 || !(warmupFraction >= 0 && warmupFraction < 1) || !(tolerance >= 0)) {
            throw new IllegalArgumentException("need samples, a warm-up fraction in [0, 1) and a tolerance >= 0, got "
                    + samples.length + " samples, " + warmupFraction + ", " + tolerance);
        }
        int from = Math.min(samples.length - 1, (int) Math.floor(warmupFraction * samples.length));
        long ref = samples[from];
        long min = ref;
        long max = ref;
        for (int i = from; i < samples.length; i++) {
            min = Math.min(min, samples[i]);
            max = Math.max(max, samples[i]);
        }
        boolean flat = max <= (1 + tolerance) * ref && min >= (1 - tolerance) * ref;
        return new SoakVerdict(ref, min, max, samples[samples.length - 1], flat);
    }
}
