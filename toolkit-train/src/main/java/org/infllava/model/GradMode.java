package org.infllava.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's autograd switch, which is per thread. DJL turns it off on the thread that loads the engine, and a
 * {@code GradientCollector} turns it on only while it is open; any other thread starts with it on. Optimizer updates
 * change parameters in place, which PyTorch refuses on a leaf that requires a gradient while the switch is on
 * ("a leaf Variable that requires grad is being used in an in-place operation"), so they run inside
 * {@code try (GradMode g = GradMode.disabled()) {...}} and work from any thread: a notebook kernel runs each cell on
 * its own. Inference uses it too, so that no graph is recorded.
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Turns autograd off on this thread until {@link #close()}, which restores what it was. */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    /** Whether autograd is on for this thread. */
    public static boolean enabled() {
        return JniUtils.isGradMode();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
