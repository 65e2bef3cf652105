package org.infllava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples the process's resident set size (Linux {@code /proc/self/status} VmRSS) on a background thread, to report
 * the peak native memory a piece of work adds above its starting point. Java-heap garbage is kept out of the number by
 * a fixed heap; what remains is dominated by native tensors.
 */
final class MemorySampler implements AutoCloseable {

    private final Thread thread;
    private final long baseline;
    private volatile long peak;
    private volatile boolean running = true;

    MemorySampler() {
        baseline = rssBytes();
        peak = baseline;
        thread = new Thread(() -> {
            while (running) {
                peak = Math.max(peak, rssBytes());
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Peak RSS above the baseline so far, in bytes. */
    long peakAboveBaseline() {
        return Math.max(0, Math.max(peak, rssBytes()) - baseline);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether RSS can be read here. */
    static boolean available() {
        return rssBytes() > 0;
    }

    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
