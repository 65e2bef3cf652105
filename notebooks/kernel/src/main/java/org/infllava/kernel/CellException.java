package org.infllava.kernel;

import java.util.List;

/**
 * A cell that failed: compilation, a runtime exception, an interrupt or a magic. The message is one line naming the
 * cell's line where one is known ({@code line 3: cannot find symbol}); {@link #traceback()} holds the lines that
 * Jupyter shows. It records no stack trace of its own: the error reply's traceback is then empty, not the kernel's frames. The kernel answers such a cell with an error reply, so {@code jupyter nbconvert --execute} fails.
 */
public final class CellException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The source did not compile (or was incomplete). */
        COMPILE,
        /** The code threw. */
        RUNTIME,
        /** The evaluation was interrupted. */
        INTERRUPTED,
        /** A magic failed. */
        MAGIC
    }

    private final Kind kind;
    private final transient List<String> traceback;

    /** An error of the given kind with its one-line message and the lines Jupyter shows. */
    public CellException(Kind kind, String message, List<String> traceback) {
        super(message, null, false, false); // the kernel's own stack says nothing about the cell: none is recorded
        this.kind = kind;
        this.traceback = List.copyOf(traceback);
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The lines Jupyter shows for this error. */
    public List<String> traceback() {
        return traceback;
    }
}
