package org.infllava.kernel;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import jdk.jshell.SourceCodeAnalysis;

/**
 * A Jupyter kernel for Java with IJava's conventions: JShell in this JVM, line magics {@code %jars GLOB...},
 * {@code %classpath PATH...} and {@code %maven COORDS...} (offline, local repository), {@code display(...)}
 * statically imported, the last expression's value shown through the {@link Renderers}, and errors that name the
 * cell's line. Drive it from Jupyter with {@link KernelLauncher}, or directly with {@link #eval(String)}:
 * <pre>{@code
 * JavaKernel k = JavaKernel.builder().build();
 * k.eval("int x = 2;");                 // null: a declaration shows nothing
 * k.eval("x + 3").getData(TEXT_PLAIN)   // "5"
 * }</pre>
 */
public final class JavaKernel extends BaseKernel {

    /** The JShell start-up: IJava's default imports, plus {@code display(...)} and IJava's {@code printf}. */
    public static final String STARTUP = String.join("\n",
            "import java.util.*;", "import java.io.*;", "import java.math.*;", "import java.net.*;",
            "import java.util.concurrent.*;", "import java.util.prefs.*;", "import java.util.regex.*;",
            "import static org.infllava.kernel.runtime.Display.*;",
            "void printf(String format, Object... args) { System.out.printf(format, args); }");

    private static volatile JavaKernel current;

    private final Path workDir;
    private final long graceMillis;
    private final List<String> classPath;
    private final LocalMavenResolver.Builder maven;
    private final LanguageInfo languageInfo;
    private SnippetEvaluator evaluator;
    private LocalMavenResolver resolver;

    private JavaKernel(Builder b) {
        this.workDir = b.workDir;
        this.graceMillis = b.graceMillis;
        this.classPath = List.copyOf(b.classPath);
        this.maven = LocalMavenResolver.builder();
        if (b.localRepository != null) {
            this.maven.optLocalRepository(b.localRepository);
        }
        this.languageInfo = new LanguageInfo.Builder("java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("java")
                .build();
        Renderers.registerAll(getRenderer());
        current = this;
    }

    /** A builder: working directory = the process's (the notebook's, under Jupyter). */
    public static Builder builder() {
        return new Builder();
    }

    /** The kernel last built in this JVM (what {@code display(...)} talks to), or {@code null}. */
    public static JavaKernel current() {
        return current;
    }

    private synchronized SnippetEvaluator evaluator() throws CellException {
        if (evaluator == null) {
            evaluator = new SnippetEvaluator(classPath, STARTUP, graceMillis);
        }
        return evaluator;
    }

    /**
     * Runs a cell: magics and code in order; the value of the cell's last part, if it is an expression with a
     * non-null value, is returned rendered, unless the cell ends with {@code ;} (as in IPython: {@code display(img);}
     * shows the image, not the display id that {@code display} returns).
     *
     * @throws CellException for a compile error, an exception, an interrupt or a failed magic
     */
    @Override
    public DisplayData eval(String cell) throws CellException {
        SnippetEvaluator ev = evaluator();
        List<CellSource.Part> parts;
        try {
            parts = CellSource.parse(cell);
        } catch (IllegalArgumentException e) {
            throw new CellException(CellException.Kind.MAGIC, e.getMessage(), List.of(e.getMessage()));
        }
        Object last = SnippetEvaluator.NO_VALUE;
        boolean quiet = false;
        for (CellSource.Part part : parts) {
            if (part instanceof CellSource.Magic m) {
                runMagic(m);
                last = SnippetEvaluator.NO_VALUE;
            } else if (part instanceof CellSource.Code c) {
                last = ev.eval(c.text(), c.line());
                quiet = c.text().strip().endsWith(";");
            }
        }
        if (last == SnippetEvaluator.NO_VALUE || last == null || quiet) {
            return null;
        }
        return last instanceof DisplayData d ? d : getRenderer().render(last);
    }

    /**
     * Runs one line magic.
     *
     * @return the class path entries it added
     * @throws CellException for an unknown magic or one that fails, naming the cell line
     */
    public List<String> runMagic(CellSource.Magic m) throws CellException {
        String where = "line " + m.line() + ": %" + m.name();
        try {
            List<String> added = new ArrayList<>();
            switch (m.name()) {
                case "jars", "classpath" -> {
                    if (m.args().isEmpty()) {
                        throw new IllegalArgumentException("needs at least one path or glob");
                    }
                    for (String pattern : m.args()) {
                        for (Path p : PathGlobs.expand(pattern, workDir, m.name().equals("jars"))) {
                            added.add(p.toString());
                        }
                    }
                }
                case "maven" -> {
                    for (Path p : resolver().resolve(m.args().toArray(String[]::new))) {
                        added.add(p.toString());
                    }
                }
                default -> throw new IllegalArgumentException(
                        "unknown magic (this kernel has %jars, %classpath and %maven)");
            }
            SnippetEvaluator ev = evaluator();
            for (String entry : added) {
                ev.addToClasspath(entry);
            }
            return added;
        } catch (IllegalArgumentException | IOException e) {
            String msg = where + ": " + e.getMessage();
            throw new CellException(CellException.Kind.MAGIC, msg, List.of(msg));
        }
    }

    private synchronized LocalMavenResolver resolver() {
        if (resolver == null) {
            resolver = maven.build();
        }
        return resolver;
    }

    @Override
    public List<String> formatError(Exception e) {
        if (e instanceof CellException ce) {
            return ce.traceback();
        }
        return super.formatError(e);
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " :: INF-LLaVA toolkit kernel (IJava-compatible: %jars, %classpath, %maven)";
    }

    @Override
    public String isComplete(String code) {
        try {
            SourceCodeAnalysis sca = evaluator().shell().sourceCodeAnalysis();
            String rest = code.lines().filter(l -> !l.strip().startsWith("%")).collect(Collectors.joining("\n"));
            SourceCodeAnalysis.CompletionInfo info = sca.analyzeCompletion(rest);
            while (info.completeness().isComplete()) {
                info = sca.analyzeCompletion(info.remaining());
            }
            return switch (info.completeness()) {
                case EMPTY -> IS_COMPLETE_YES;
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
                default -> IS_COMPLETE_MAYBE;
            };
        } catch (CellException e) {
            return IS_COMPLETE_MAYBE;
        }
    }

    @Override
    public ReplacementOptions complete(String code, int at) throws CellException {
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> s = evaluator().shell().sourceCodeAnalysis()
                .completionSuggestions(code, at, anchor);
        if (s == null || s.isEmpty()) {
            return null;
        }
        return new ReplacementOptions(s.stream().map(SourceCodeAnalysis.Suggestion::continuation).distinct()
                .collect(Collectors.toList()), anchor[0], at);
    }

    /** Stops the running cell (interrupt, then {@code Thread.stop} after the grace period). */
    @Override
    public void interrupt() {
        SnippetEvaluator ev = evaluator;
        if (ev != null) {
            ev.interrupt();
        }
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        SnippetEvaluator ev = evaluator;
        if (ev != null) {
            ev.close();
        }
    }

    /**
     * The class path of this JVM as JShell's compiler needs it: {@code java.class.path} with the
     * {@code Class-Path} manifest entries of its jars followed (a {@code java -jar} launch lists only the jar).
     */
    public static List<String> processClassPath() {
        Set<String> out = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                addWithManifest(Path.of(e).toAbsolutePath().normalize(), out);
            }
        }
        return new ArrayList<>(out);
    }

    private static void addWithManifest(Path entry, Set<String> out) {
        if (!out.add(entry.toString()) || !entry.toString().endsWith(".jar")) {
            return;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest mf = jar.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return;
            }
            for (String ref : cp.trim().split("\\s+")) {
                Path p;
                try {
                    p = ref.startsWith("file:") ? Path.of(java.net.URI.create(ref))
                            : entry.getParent().resolve(ref.replace("%20", " "));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                addWithManifest(p.toAbsolutePath().normalize(), out);
            }
        } catch (IOException e) {
            // not a readable jar: keep it as given
        }
    }

    /** Builds a {@link JavaKernel}. */
    public static final class Builder {
        private Path workDir = Path.of("").toAbsolutePath();
        private long graceMillis = 1000;
        private final List<String> classPath = new ArrayList<>(processClassPath());
        private Path localRepository;

        private Builder() {
        }

        /** The directory {@code %jars} and {@code %classpath} resolve relative paths against (default: cwd). */
        public Builder optWorkDir(Path dir) {
            this.workDir = dir.toAbsolutePath();
            return this;
        }

        /** How long an interrupted cell may ignore the interrupt before its thread is stopped (default 1000 ms). */
        public Builder optInterruptGraceMillis(long millis) {
            this.graceMillis = millis;
            return this;
        }

        /** The local Maven repository for {@code %maven} (default {@link LocalMavenResolver#defaultLocalRepository}). */
        public Builder optLocalRepository(Path dir) {
            this.localRepository = dir;
            return this;
        }

        /** An extra class path entry, besides this JVM's own. */
        public Builder addClassPath(String entry) {
            this.classPath.add(entry);
            return this;
        }

        /** Validates and builds. */
        public JavaKernel build() {
            if (graceMillis < 0) {
                throw new IllegalArgumentException("interruptGraceMillis must be >= 0, got " + graceMillis);
            }
            return new JavaKernel(this);
        }
    }
}
