package org.infllava.train;

/**
 * Linear warm-up then cosine decay to a floor, as Hugging Face's {@code get_cosine_schedule_with_warmup} (the
 * published recipe), with an optional floor: for optimizer step {@code s = 0, 1, …}
 * <pre>
 *   s &lt; W:  lr = peak · s / W
 *   s ≥ W:  lr = peak · (f + (1 − f) · ½(1 + cos(π · (s − W) / (T − W))))
 * </pre>
 * with {@code W = ⌈warmupRatio · T⌉}, {@code T} total steps, {@code f} the floor as a fraction of the peak.
 *
 * @param peak the peak learning rate
 * @param totalSteps optimizer steps of the run
 * @param warmupSteps {@code W}
 * @param floorRatio {@code f}, 0 for Hugging Face's curve
 */
public record LrSchedule(double peak, int totalSteps, int warmupSteps, double floorRatio) {

    /** Validates. */
    public LrSchedule {
        if (!(peak > 0) || totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps || floorRatio < 0
                || floorRatio > 1) {
            throw new IllegalArgumentException("need peak > 0, totalSteps >= 1, 0 <= warmupSteps <= totalSteps, "
                    + "0 <= floorRatio <= 1; got peak=" + peak + " totalSteps=" + totalSteps + " warmupSteps="
                    + warmupSteps + " floorRatio=" + floorRatio);
        }
    }

    /** A schedule whose warm-up is {@code ⌈ratio · total⌉} steps. */
    public static LrSchedule of(double peak, int totalSteps, double warmupRatio, double floorRatio) {
        return new LrSchedule(peak, totalSteps, (int) Math.ceil(warmupRatio * totalSteps), floorRatio);
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * step / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double cosine = Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
        return peak * (floorRatio + (1 - floorRatio) * cosine);
    }
}
