package org.infllava.train;

/**
 * The optimisation settings of one run (immutable; the JSON config maps onto it).
 *
 * @param seed data order and initialisation seed
 * @param steps optimizer steps
 * @param batchSize samples per micro-batch
 * @param accumulation micro-batches per optimizer step
 * @param lr peak learning rate
 * @param warmupRatio warm-up as a fraction of the steps
 * @param minLrRatio cosine floor as a fraction of the peak
 * @param weightDecay decoupled weight decay
 * @param clipNorm global-norm clipping threshold (0 = none)
 * @param freeze which weights train
 * @param groupByLength length-grouped batches
 * @param checkpointEvery steps between checkpoints (0 = only at the end)
 * @param keepLast checkpoints kept
 * @param logEvery steps between progress lines when not on a terminal
 */
public record TrainSettings(long seed, int steps, int batchSize, int accumulation, double lr, double warmupRatio,
        double minLrRatio, double weightDecay, double clipNorm, FreezePolicy freeze, boolean groupByLength,
        int checkpointEvery, int keepLast, int logEvery) {

    /** Validates, naming the values. */
    public TrainSettings {
        if (steps < 1 || batchSize < 1 || accumulation < 1 || keepLast < 1 || checkpointEvery < 0 || logEvery < 1) {
            throw new IllegalArgumentException("need steps, batchSize, accumulation, keepLast, logEvery >= 1 and "
                    + "checkpointEvery >= 0; got steps=" + steps + " batchSize=" + batchSize + " accumulation="
                    + accumulation + " keepLast=" + keepLast + " checkpointEvery=" + checkpointEvery + " logEvery="
                    + logEvery);
        }
        if (!(lr > 0) || clipNorm < 0 || weightDecay < 0 || warmupRatio < 0 || warmupRatio > 1) {
            throw new IllegalArgumentException("need lr > 0, clipNorm >= 0, weightDecay >= 0, 0 <= warmupRatio <= 1; "
                    + "got lr=" + lr + " clipNorm=" + clipNorm + " weightDecay=" + weightDecay + " warmupRatio="
                    + warmupRatio);
        }
    }

    /** The learning-rate schedule. */
    public LrSchedule schedule() {
        return LrSchedule.of(lr, steps, warmupRatio, minLrRatio);
    }
}
