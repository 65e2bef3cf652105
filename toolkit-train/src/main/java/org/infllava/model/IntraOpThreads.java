package org.infllava.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The intra-op thread count chosen by the size of the work: a forward pass of a tiny model is hundreds of operations
 * of a few microseconds each, and with more than one intra-op thread each of them also pays a thread wake-up (a tiny
 * decode step measured 2.3 ms on one thread against 5.4 ms on two). Work under {@link #SMALL_FLOPS} runs on one
 * thread; larger work keeps the engine's configured count ({@code -Dai.djl.pytorch.num_threads}).
 *
 * <p>PyTorch keeps the setting per calling thread (OpenMP's and MKL's thread-local counts), so a scope changes only
 * the Java thread that opened it, and closing it restores the count it found. Only the PyTorch engine has the knob;
 * with another engine a scope does nothing.
 *
 * <pre>{@code
 * try (IntraOpThreads t = IntraOpThreads.forFlops(2L * tokens * parameters)) {
 *     ... the forward pass ...
 * }
 * }</pre>
 */
public final class IntraOpThreads implements AutoCloseable {

    /**
     * Below this many floating-point operations a forward pass runs on one thread: a tiny model's decode step is
     * ~0.3 MFLOP, its 256-token prefill ~75 MFLOP; a 512-wide model's decode step ~80 MFLOP. Set by the system
     * property {@code infllava.intraop.smallFlops} (default 16,000,000; 0 never forces one thread), for measuring
     * the policy on another machine.
     */
    public static final long SMALL_FLOPS = Long.getLong("infllava.intraop.smallFlops", 16_000_000L);

    private static final boolean PYTORCH = isPyTorch();
    private static final IntraOpThreads NOTHING = new IntraOpThreads(0);

    private final int restore;

    private IntraOpThreads(int restore) {
        this.restore = restore;
    }

    /**
     * One thread for work under {@link #SMALL_FLOPS}, the configured count otherwise; close to restore.
     *
     * @param flops the work's floating-point operations (an estimate: 2 × multiply-adds of its matmuls)
     */
    public static IntraOpThreads forFlops(long flops) {
        if (!PYTORCH || flops >= SMALL_FLOPS) {
            return NOTHING;
        }
        int now = JniUtils.getNumThreads();
        if (now <= 1) {
            return NOTHING;
        }
        JniUtils.setNumThreads(1);
        return new IntraOpThreads(now);
    }

    /**
     * Exactly {@code threads} intra-op threads for the calling Java thread until close (then the count it found): a
     * worker that runs one of several independent jobs side by side takes one thread each, so that the jobs share the
     * cores instead of oversubscribing them. Nested {@link #forFlops} scopes then keep one thread.
     */
    public static IntraOpThreads exactly(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("need at least one intra-op thread, got " + threads);
        }
        if (!PYTORCH) {
            return NOTHING;
        }
        int now = JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads);
        return new IntraOpThreads(now);
    }

    @Override
    public void close() {
        if (restore > 0) {
            JniUtils.setNumThreads(restore);
        }
    }

    private static boolean isPyTorch() {
        try {
            return "PyTorch".equals(Engine.getInstance().getEngineName());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
