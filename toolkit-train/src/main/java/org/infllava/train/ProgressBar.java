package org.infllava.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar with ETA for long jobs: redrawn in place on a terminal (at most five times a second), one line per
 * tenth of the work elsewhere (logs, CI). Work is counted in units the caller chooses (steps, samples).
 */
public final class ProgressBar {

    private final PrintWriter out;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private int lastTenth = -1;
    private String status = "";

    /**
     * A bar.
     *
     * @param out where it draws
     * @param total units of work, at least 1
     * @param terminal redraw in place (else one line per tenth)
     */
    public ProgressBar(PrintWriter out, long total, boolean terminal) {
        if (total < 1) {
            throw new IllegalArgumentException("a progress bar needs total >= 1, got " + total);
        }
        this.out = out;
        this.total = total;
        this.terminal = terminal;
    }

    /** A bar that redraws in place when the JVM has a console. */
    public static ProgressBar of(PrintWriter out, long total) {
        return new ProgressBar(out, total, System.console() != null);
    }

    /** Units done so far. */
    public long done() {
        return done;
    }

    /** Adds {@code units} of finished work and shows {@code status} beside the bar. */
    public synchronized void advance(long units, String status) {
        done = Math.min(total, done + units);
        this.status = status;
        draw(false);
    }

    /** Completes the bar and ends its line. */
    public synchronized void finish(String status) {
        done = total;
        this.status = status;
        draw(true);
    }

    /** Seconds left at the mean rate so far, or NaN before any work is done. */
    public double etaSeconds() {
        double elapsed = (System.nanoTime() - start) / 1e9;
        return done == 0 ? Double.NaN : elapsed / done * (total - done);
    }

    /** {@code 1m05s} or {@code 1h02m}. */
    public static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    private void draw(boolean last) {
        long now = System.nanoTime();
        int tenth = (int) (10 * done / total);
        String line = String.format(Locale.ROOT, "[%s] %3d%%  ETA %s  %s", bar(24), 100 * done / total,
                duration(etaSeconds()), status);
        if (terminal) {
            if (last || now - lastDraw > 200_000_000L) {
                out.print("\r" + line + " ".repeat(Math.max(0, 100 - line.length())));
                if (last) {
                    out.println();
                }
                out.flush();
                lastDraw = now;
            }
        } else if (last || tenth != lastTenth) {
            out.println(line);
            out.flush();
            lastTenth = tenth;
        }
    }

    private String bar(int width) {
        int filled = (int) (width * done / total);
        return "#".repeat(filled) + ".".repeat(width - filled);
    }
}
