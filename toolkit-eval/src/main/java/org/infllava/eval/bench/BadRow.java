package org.infllava.eval.bench;

/** A row that cannot be read: a short reason to count by, and a detail for the report. */
final class BadRow extends Exception {

    private static final long serialVersionUID = 1L;

    final String reason;

    BadRow(String reason) {
        this(reason, null);
    }

    BadRow(String reason, String detail) {
        // The detail quotes the row: clipped to one short line, whatever the row holds.
        super(detail == null ? reason : reason + " (" + org.infllava.io.InvalidInputException.excerpt(detail) + ")",
                null, false, false);
        this.reason = reason;
    }
}
