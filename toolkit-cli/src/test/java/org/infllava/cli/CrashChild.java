package org.infllava.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import org.infllava.io.AtomicFiles;

/**
 * {@code infllava} in a child JVM for {@link CrashConsistencyTest}: the real command line, with checkpoint writes
 * slowed by {@code -Dcrash.slowMs} per file (fault injection through {@link AtomicFiles#setOpener}, which every
 * checkpoint byte goes through), so that a SIGKILL aimed at a checkpoint write lands inside one.
 */
public final class CrashChild {

    private CrashChild() {}

    /** Runs {@code args} and exits with the command's code. */
    public static void main(String[] args) {
        long slowMs = Long.getLong("crash.slowMs", 0);
        if (slowMs > 0) {
            AtomicFiles.setOpener((file, options) -> {
                OutputStream out = AtomicFiles.FILES.open(file, options);
                if (!String.valueOf(file.getParent().getFileName()).startsWith(".step-")) {
                    return out; // only checkpoint files are slowed
                }
                pause(slowMs);
                return new java.io.FilterOutputStream(out) {
                    private boolean paused;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (paused) {
                            out.write(b, off, len);
                            return;
                        }
                        // The first write: half its bytes, a pause, the rest, so that a kill can cut a file in two.
                        paused = true;
                        int half = len / 2;
                        out.write(b, off, half);
                        out.flush();
                        pause(slowMs);
                        out.write(b, off + half, len - half);
                    }
                };
            });
        }
        System.exit(Main.execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
