package org.infllava.eval.bench;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Records of a tab-separated file as pandas writes it ({@code to_csv(sep='\t')}, quoting as needed): a field that
 * starts with {@code "} runs to the next lone {@code "}, may hold tabs and newlines, and writes {@code ""} for a
 * quote; records end at a newline outside quotes ({@code \r\n} too).
 */
final class Tsv {

    private final Reader in;
    private int peeked = -2;
    private int line = 1;
    private int recordLine;
    private boolean unterminated;

    Tsv(Reader in) {
        this.in = in;
    }

    /** The 1-based line on which the last record returned began. */
    int recordLine() {
        return recordLine;
    }

    /** Whether the last record ended inside a quoted field (at the end of the file). */
    boolean unterminated() {
        return unterminated;
    }

    /** The next record's fields, or {@code null} at the end. */
    List<String> next() throws IOException {
        int c = read();
        if (c == -1) {
            return null;
        }
        recordLine = line;
        unterminated = false;
        List<String> fields = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        while (true) {
            if (c == -1) {
                unterminated = quoted;
                fields.add(sb.toString());
                return fields;
            }
            if (quoted) {
                if (c == '"') {
                    if (peek() == '"') {
                        read();
                        sb.append('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    sb.append((char) c);
                }
            } else if (c == '\t') {
                fields.add(sb.toString());
                sb.setLength(0);
                fieldStart = true;
                c = read();
                continue;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && peek() == '\n') {
                    read();
                }
                line++;
                fields.add(sb.toString());
                return fields;
            } else if (c == '"' && fieldStart) {
                quoted = true;
            } else {
                sb.append((char) c);
            }
            fieldStart = false;
            c = read();
        }
    }

    private int read() throws IOException {
        if (peeked != -2) {
            int c = peeked;
            peeked = -2;
            return c;
        }
        return in.read();
    }

    private int peek() throws IOException {
        if (peeked == -2) {
            peeked = in.read();
        }
        return peeked;
    }
}
