package org.infllava.io;

import java.nio.file.Path;

/**
 * Bad input from a user: a file that cannot be read as what it should be, or a setting that cannot work.
 *
 * <p>The message is one line that names the file (or the setting) and the problem, so command-line tools can print it
 * as is and exit with code 2.
 */
public class InvalidInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** An error about {@code file}; the message reads {@code "<file>: <problem>"}. */
    public InvalidInputException(Path file, String problem) {
        this(file, problem, null);
    }

    /** An error about {@code file} with its underlying cause. */
    public InvalidInputException(Path file, String problem, Throwable cause) {
        super(file == null ? oneLine(problem) : file + ": " + oneLine(problem), cause);
        this.file = file;
    }

    /** An error about a setting rather than a file. */
    public InvalidInputException(String problem) {
        this(null, problem, null);
    }

    /**
     * The problem as one line whatever text it quotes: line breaks and other control characters become {@code ?}
     * (a fuzzed {@code config.json} whose field held a line break once made a two-line message).
     */
    private static String oneLine(String problem) {
        return problem == null ? "" : problem.replaceAll("\\p{Cntrl}", "?");
    }

    /** The file at fault, or {@code null} when the problem is a setting. */
    public Path file() {
        return file;
    }

    /**
     * Input text to quote in a message: control characters (line breaks included) become {@code ?}, and text over
     * 160 characters is cut with {@code ...}, so a message stays one short line whatever the input holds.
     */
    public static String excerpt(String text) {
        String one = String.valueOf(text).replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 160 ? one : one.substring(0, 157) + "...";
    }
}
