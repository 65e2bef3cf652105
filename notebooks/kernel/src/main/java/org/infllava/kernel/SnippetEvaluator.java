package org.infllava.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Evaluates Java source in a JShell that runs in this JVM through a {@link SnippetExecutionControl}. Source is cut
 * into snippets the way JShell's own REPL does; the value of the last expression is returned as an object. Errors
 * become {@link CellException}s that name the cell's line: compile errors with the diagnostic and the offending
 * line, runtime exceptions with their class, message, causes and the stack trimmed to the cell's frames.
 */
public final class SnippetEvaluator implements AutoCloseable {

    /** The cell value of a part that has none (a declaration or a statement), as opposed to a {@code null} value. */
    public static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "NO_VALUE";
        }
    };

    private final JShell shell;
    private final SnippetExecutionControl control;
    private final SourceCodeAnalysis analysis;
    /** Snippet id to the cell line of its first line, for the snippets of the cell being evaluated. */
    private final Map<String, Integer> snippetLines = new HashMap<>();

    /**
     * A JShell with the given class path entries and start-up source (imports), stopping ignored interrupts after
     * {@code graceMillis}.
     *
     * @throws CellException when the start-up source does not compile
     */
    public SnippetEvaluator(List<String> classPath, String startup, long graceMillis) throws CellException {
        this.control = new SnippetExecutionControl(graceMillis);
        this.shell = JShell.builder()
                .executionEngine(new SnippetExecutionControl.Provider(control), Map.of())
                .build();
        this.analysis = shell.sourceCodeAnalysis();
        for (String entry : classPath) {
            shell.addToClasspath(entry);
        }
        if (startup != null && !startup.isBlank()) {
            eval(startup, 1);
        }
    }

    /** Adds a jar or class directory to the compiler's and the class loader's path. */
    public void addToClasspath(String path) {
        shell.addToClasspath(path);
    }

    /**
     * Evaluates source whose first line is line {@code firstLine} of its cell.
     *
     * @return the last snippet's value when it is an expression (possibly {@code null}), else {@link #NO_VALUE}
     * @throws CellException on a compile error, an incomplete input, an exception or an interrupt
     */
    public Object eval(String source, int firstLine) throws CellException {
        snippetLines.clear();
        Object last = NO_VALUE;
        String remaining = source;
        int offset = 0;
        try {
            while (true) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
                if (!info.completeness().isComplete()) {
                    if (info.completeness() != SourceCodeAnalysis.Completeness.EMPTY) {
                        int line = lineAt(source, offset + leadingBlank(remaining), firstLine);
                        throw new CellException(CellException.Kind.COMPILE,
                                "line " + line + ": incomplete input (a missing ';', ')' or '}'?)",
                                List.of("line " + line + ": incomplete input (a missing ';', ')' or '}'?)",
                                        "    " + firstLineOf(info.remaining().strip())));
                    }
                    return last;
                }
                int used = remaining.length() - info.remaining().length();
                String consumed = remaining.substring(0, used);
                String snippetSource = info.source();
                int start = offset + startIn(consumed, snippetSource);
                last = evalSnippet(snippetSource, source, start, firstLine);
                offset += used;
                remaining = info.remaining();
            }
        } finally {
            control.clearResults();
        }
    }

    private Object evalSnippet(String snippet, String source, int start, int firstLine) throws CellException {
        int snippetLine = lineAt(source, start, firstLine);
        List<SnippetEvent> events = shell.eval(snippet);
        Object value = NO_VALUE;
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue;
            }
            snippetLines.put(e.snippet().id(), snippetLine);
            Snippet.SubKind sub = e.snippet().subKind();
            Object v = sub.isExecutable() && e.value() != null ? control.takeResult(e.value()) : null;
            switch (sub) {
                case VAR_VALUE_SUBKIND, OTHER_EXPRESSION_SUBKIND, TEMP_VAR_EXPRESSION_SUBKIND ->
                    value = e.value() == null ? NO_VALUE : v;
                default -> value = NO_VALUE;
            }
        }
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue;
            }
            JShellException ex = e.exception();
            if (ex instanceof EvalException ee) {
                if (SnippetExecutionControl.INTERRUPTED_NAME.equals(ee.getExceptionClassName())) {
                    throw new CellException(CellException.Kind.INTERRUPTED, "line " + snippetLine + ": interrupted",
                            List.of("Evaluation interrupted (cell line " + snippetLine + ")."));
                }
                throw runtimeError(ee, snippetLine);
            }
            if (ex instanceof UnresolvedReferenceException ure) {
                String deps = shell.unresolvedDependencies(ure.getSnippet()).collect(Collectors.joining(", "));
                String msg = "line " + snippetLine + ": " + ure.getSnippet().toString().replaceAll("\\s+", " ")
                        .replaceFirst("^Snippet:", "").strip() + " uses undefined " + deps;
                throw new CellException(CellException.Kind.COMPILE, msg, List.of(msg));
            }
            if (ex != null) {
                String msg = "line " + snippetLine + ": " + ex;
                throw new CellException(CellException.Kind.RUNTIME, msg, List.of(msg));
            }
            if (!e.status().isDefined()) {
                throw compileError(e.snippet(), source, start, firstLine);
            }
        }
        return value;
    }

    private CellException compileError(Snippet snippet, String source, int start, int firstLine) {
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag d : shell.diagnostics(snippet).collect(Collectors.toList())) {
            if (!d.isError()) {
                continue;
            }
            long pos = d.getStartPosition() >= 0 ? d.getStartPosition() : d.getPosition();
            int at = (int) Math.max(0, Math.min(pos, snippet.source().length()));
            int line = lineAt(source, Math.min(source.length(), start + at), firstLine);
            String[] msg = d.getMessage(Locale.ROOT).split("\n");
            String detail = java.util.Arrays.stream(msg).skip(1).map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("location:")).collect(Collectors.joining("; "));
            String head = "line " + line + ": " + msg[0].strip() + (detail.isEmpty() ? "" : " (" + detail + ")");
            if (first == null) {
                first = head;
            }
            lines.add(head);
            String src = snippet.source();
            int ls = src.lastIndexOf('\n', at - 1) + 1;
            int le = src.indexOf('\n', at);
            String text = src.substring(ls, le < 0 ? src.length() : le);
            lines.add("    " + text);
            lines.add("    " + " ".repeat(Math.max(0, at - ls)) + "^");
            for (int i = 1; i < msg.length; i++) {
                if (!msg[i].strip().startsWith("location:")) {
                    lines.add("  " + msg[i].strip());
                }
            }
        }
        if (first == null) {
            int line = lineAt(source, start, firstLine);
            String deps = snippet instanceof DeclarationSnippet ds
                    ? shell.unresolvedDependencies(ds).collect(Collectors.joining(", ")) : "";
            first = "line " + line + ": not defined" + (deps.isEmpty() ? "" : " (uses undefined " + deps + ")")
                    + ": " + firstLineOf(snippet.source().strip());
            lines.add(first);
        }
        return new CellException(CellException.Kind.COMPILE, first, lines);
    }

    private CellException runtimeError(EvalException ee, int snippetLine) {
        List<String> lines = new ArrayList<>();
        String head = describe(ee);
        lines.add(head);
        appendFrames(ee.getStackTrace(), lines);
        for (Throwable c = ee.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            lines.add("Caused by: " + describe(c));
            appendFrames(c.getStackTrace(), lines);
        }
        int line = snippetLine;
        for (StackTraceElement f : ee.getStackTrace()) {
            Optional<Integer> l = cellLine(f);
            if (l.isPresent()) {
                line = l.get();
                break;
            }
        }
        return new CellException(CellException.Kind.RUNTIME, "line " + line + ": " + head, lines);
    }

    private static String describe(Throwable t) {
        String name = t instanceof EvalException e ? e.getExceptionClassName() : t.getClass().getName();
        String msg = t.getMessage() == null ? null : t.getMessage().replaceAll("REPL\\.\\$JShell\\$\\d+[A-Z]?\\.", "");
        return name + (msg == null || "null".equals(msg) ? "" : ": " + msg);
    }

    /** The frames of a translated trace: a snippet's as {@code at m (cell line N)}, others as they are. */
    private void appendFrames(StackTraceElement[] trace, List<String> lines) {
        for (StackTraceElement f : trace) {
            String file = f.getFileName();
            String method = f.getMethodName().isEmpty() || f.getMethodName().equals("do_it$") ? "<cell>"
                    : f.getMethodName();
            Optional<Integer> l = cellLine(f);
            if (l.isPresent()) {
                lines.add("    at " + method + " (cell line " + l.get() + ")");
            } else if (file != null && file.startsWith("#")) {
                lines.add("    at " + method + " (snippet " + file + ", line " + f.getLineNumber() + ")");
            } else {
                lines.add("    at " + f);
            }
        }
    }

    private Optional<Integer> cellLine(StackTraceElement f) {
        String file = f.getFileName();
        if (file != null && file.startsWith("#") && f.getLineNumber() > 0) {
            Integer base = snippetLines.get(file.substring(1));
            if (base != null) {
                return Optional.of(base + f.getLineNumber() - 1);
            }
        }
        return Optional.empty();
    }

    /** Interrupts the running snippet, if any; see {@link SnippetExecutionControl#interrupt()}. */
    public void interrupt() {
        control.interrupt();
    }

    /** The JShell behind this evaluator (completion, documentation). */
    public JShell shell() {
        return shell;
    }

    @Override
    public void close() {
        shell.close();
    }

    private static int lineAt(String source, int pos, int firstLine) {
        int n = 0;
        for (int i = 0; i < pos && i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                n++;
            }
        }
        return firstLine + n;
    }

    private static int leadingBlank(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String firstLineOf(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Where a snippet's source starts within the text it was cut from. */
    private static int startIn(String consumed, String snippet) {
        String head = firstLineOf(snippet.strip()).strip();
        if (head.endsWith(";")) {
            head = head.substring(0, head.length() - 1);
        }
        int at = head.isEmpty() ? -1 : consumed.indexOf(head);
        return at >= 0 ? at : leadingBlank(consumed);
    }
}
