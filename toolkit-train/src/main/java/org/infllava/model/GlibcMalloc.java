package org.infllava.model;

import java.util.Map;

/**
 * The glibc {@code malloc} settings under which the toolkit's processes run PyTorch: the engine's CPU allocator takes
 * every tensor from {@code malloc}, and glibc serves a request over its mmap threshold (at most 32 MiB) with a fresh
 * {@code mmap} and returns it with {@code munmap} on free. A training step that builds and drops the same large
 * tensors at every step (the attention scores of the lab's ceiling row are 54 MB) then pays for zeroing every page
 * of them again in the kernel: measured on the ceiling row (60 steps and 300 answers, one thread), 13.6 s of system
 * time beside 29.9 s of user time. With {@code MALLOC_MMAP_MAX_=0} (no chunk is mmapped: memory comes from the heap
 * and is reused) and a trim threshold of 16 GiB (freed memory is kept, not handed back and faulted in again), the same
 * work took 1.5 s of system and 26.7 s of user time — identical losses and answers.
 *
 * <p>The variables act when a process starts, so they are set by the {@code infllava} launcher and by
 * {@link #applyTo} for the child JVMs the toolkit starts itself (the lab's rows); a process that already runs (a
 * notebook kernel) keeps its own. A value already in the environment wins; {@code INFLLAVA_SYSTEM_MALLOC=1} keeps
 * glibc's defaults. The cost: freed memory is not returned to the system until the process ends (its footprint stays
 * at its peak).
 */
public final class GlibcMalloc {

    /** No chunk served by {@code mmap}. */
    public static final String MMAP_MAX = "MALLOC_MMAP_MAX_";

    /** Freed memory at the top of the heap is kept up to this many bytes. */
    public static final String TRIM_THRESHOLD = "MALLOC_TRIM_THRESHOLD_";

    /** Set to keep glibc's defaults. */
    public static final String OPT_OUT = "INFLLAVA_SYSTEM_MALLOC";

    private GlibcMalloc() {}

    /** Adds the settings to a child process's environment, unless present or opted out ({@link #OPT_OUT}). */
    public static void applyTo(Map<String, String> env) {
        if (env.containsKey(OPT_OUT) && !env.get(OPT_OUT).isEmpty() && !env.get(OPT_OUT).equals("0")) {
            return;
        }
        env.putIfAbsent(MMAP_MAX, "0");
        env.putIfAbsent(TRIM_THRESHOLD, String.valueOf(16L << 30));
    }
}
