package org.infllava.spark;

/**
 * A failure on an executor, carried to the driver as text only (the original exception, its file path or its cause
 * may not serialize): which executor, and the one-line problem, e.g. the file or question at fault.
 */
public final class TaskError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure with its one-line message. */
    public TaskError(String message) {
        super(message);
    }

    /** The message of the first {@code TaskError} in {@code t}'s causes, else its first line (Spark's summary). */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TaskError) {
                return c.getMessage();
            }
        }
        String m = String.valueOf(t.getMessage());
        int marker = m.indexOf(TaskError.class.getName() + ": ");
        if (marker >= 0) {
            m = m.substring(marker + TaskError.class.getName().length() + 2);
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
