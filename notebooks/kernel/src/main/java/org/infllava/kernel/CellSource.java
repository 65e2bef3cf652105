package org.infllava.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A notebook cell split into code and IJava-style line magics, in order. A line magic is a line whose first
 * non-blank character is {@code %} followed by a name ({@code %maven org.infllava:toolkit-cli:0.1.0-SNAPSHOT});
 * its arguments are split on blanks, with double quotes grouping an argument that contains blanks. Every part keeps
 * its 1-based line in the cell, so errors name the cell's line.
 */
public final class CellSource {

    private static final Pattern MAGIC = Pattern.compile("^\\s*%(%?)([A-Za-z_][\\w-]*)(.*)$");

    /** One part of a cell. */
    public sealed interface Part permits Code, Magic {
        /** The 1-based line in the cell where this part starts. */
        int line();
    }

    /**
     * Java source between magics.
     *
     * @param text the source, lines joined with {@code \n}
     * @param line the 1-based cell line of its first line
     */
    public record Code(String text, int line) implements Part { }

    /**
     * A line magic.
     *
     * @param name the magic's name without {@code %}
     * @param args its arguments
     * @param line its 1-based cell line
     */
    public record Magic(String name, List<String> args, int line) implements Part {
        /** A magic with an immutable copy of its arguments. */
        public Magic {
            args = List.copyOf(args);
        }
    }

    private CellSource() {
    }

    /**
     * Splits a cell into its parts; blank code between magics is dropped.
     *
     * @throws IllegalArgumentException for a cell magic ({@code %%name}), which this kernel does not support, or an
     *     unclosed quote, naming the line
     */
    public static List<Part> parse(String cell) {
        List<Part> parts = new ArrayList<>();
        String[] lines = cell.replace("\r\n", "\n").split("\n", -1);
        StringBuilder code = new StringBuilder();
        int codeStart = 1;
        boolean inTextBlock = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher m = inTextBlock ? null : MAGIC.matcher(line);
            if (m != null && m.matches()) {
                if (!m.group(1).isEmpty()) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": cell magic %%" + excerpt(m.group(2))
                            + " is not supported (line magics: %jars, %classpath, %maven)");
                }
                flush(parts, code, codeStart);
                parts.add(new Magic(m.group(2), splitArgs(m.group(3), i + 1), i + 1));
                codeStart = i + 2;
            } else {
                if (code.length() == 0 && line.isBlank()) {
                    codeStart = i + 2;
                    continue;
                }
                if (code.length() == 0) {
                    codeStart = i + 1;
                }
                code.append(line).append('\n');
                inTextBlock ^= countTextBlockQuotes(line) % 2 == 1;
            }
        }
        flush(parts, code, codeStart);
        return parts;
    }

    private static void flush(List<Part> parts, StringBuilder code, int start) {
        if (!code.toString().isBlank()) {
            String text = code.toString();
            parts.add(new Code(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text, start));
        }
        code.setLength(0);
    }

    private static int countTextBlockQuotes(String line) {
        int n = 0;
        for (int at = line.indexOf("\"\"\""); at >= 0; at = line.indexOf("\"\"\"", at + 3)) {
            n++;
        }
        return n;
    }

    /** Cell text quoted in a message: one line of at most 80 characters. */
    private static String excerpt(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }

    /** Splits magic arguments on blanks; double quotes group, and {@code \"} is a literal quote inside them. */
    static List<String> splitArgs(String s, int line) {
        List<String> args = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                cur.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (!quoted && Character.isWhitespace(c)) {
                if (any) {
                    args.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("line " + line + ": unclosed quote in magic arguments: "
                    + excerpt(s.strip()));
        }
        if (any) {
            args.add(cur.toString());
        }
        return args;
    }
}
