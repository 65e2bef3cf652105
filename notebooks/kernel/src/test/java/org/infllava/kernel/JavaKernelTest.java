package org.infllava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's evaluation loop driven directly, without Jupyter or sockets. */
class JavaKernelTest {

    @TempDir
    static Path dir;

    static JavaKernel kernel;

    @BeforeAll
    static void start() {
        kernel = JavaKernel.builder().optWorkDir(dir).optInterruptGraceMillis(300).build();
    }

    @AfterAll
    static void stop() {
        kernel.onShutdown(false);
    }

    private static Object text(DisplayData d) {
        return d.getData(MIMEType.TEXT_PLAIN);
    }

    @Test
    void declarationShowsNothingAndTheExpressionShowsItsValue() throws Exception {
        assertNull(kernel.eval("int x = 2;"));
        assertEquals("5", text(kernel.eval("x + 3")));
        assertEquals("3", text(kernel.eval("int a = 1;\nint b = 2;\n\na + b")));
        assertEquals("hello", text(kernel.eval("\"hel\" + \"lo\"")));
        assertNull(kernel.eval("String n = null;\nn"), "a null value shows nothing");
        assertNull(kernel.eval("System.out.println(\"side effect\");"));
        assertNull(kernel.eval("x + 4;"), "a trailing ';' keeps the value quiet, as in IPython");
        assertEquals("6", text(kernel.eval("x + 4")));
    }

    @Test
    void defaultImportsAndDisplayAreInScope() throws Exception {
        assertEquals("[1, 2]", text(kernel.eval("new ArrayList<>(List.of(1, 2))")));
        assertNull(kernel.eval("java.util.function.Function<Object, String> f = o -> display(o);"));
    }

    @Test
    void compileErrorNamesTheCellLine() {
        CellException e = assertThrows(CellException.class,
                () -> kernel.eval("int ok = 1;\n\nint bad = undefinedThing + 1;\n"));
        assertEquals(CellException.Kind.COMPILE, e.kind());
        assertTrue(e.getMessage().startsWith("line 3: cannot find symbol"), e.getMessage());
        assertTrue(String.join("\n", e.traceback()).contains("variable undefinedThing"), e.traceback().toString());
        CellException inside = assertThrows(CellException.class,
                () -> kernel.eval("%classpath .\nint q = 1;\nvoid m() {\n  int z = \"s\";\n}"));
        assertTrue(inside.getMessage().startsWith("line 4: incompatible types"), inside.getMessage());
    }

    @Test
    void incompleteInputIsAnError() {
        CellException e = assertThrows(CellException.class, () -> kernel.eval("int a = 1;\nvoid m() {"));
        assertTrue(e.getMessage().startsWith("line 2: incomplete input"), e.getMessage());
    }

    @Test
    void runtimeExceptionIsAnErrorWithTrimmedStack() {
        CellException e = assertThrows(CellException.class,
                () -> kernel.eval("int v = 1;\nif (v == 1) throw new IllegalStateException(\"boom\", new RuntimeException(\"root\"));"));
        assertEquals(CellException.Kind.RUNTIME, e.kind());
        assertEquals("line 2: java.lang.IllegalStateException: boom", e.getMessage());
        String trace = String.join("\n", e.traceback());
        assertTrue(trace.contains("(cell line 2)"), trace);
        assertTrue(trace.contains("Caused by: java.lang.RuntimeException: root"), trace);
        assertTrue(!trace.contains("java.lang.reflect.Method.invoke"), trace);
    }

    @Test
    void interruptStopsABusyLoop() throws Exception {
        CompletableFuture<Throwable> done = CompletableFuture.supplyAsync(() -> {
            try {
                kernel.eval("while (true) { }");
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(1500);
        long t0 = System.nanoTime();
        kernel.interrupt();
        Throwable t = done.get(5, TimeUnit.SECONDS);
        assertTrue(t instanceof CellException ce && ce.kind() == CellException.Kind.INTERRUPTED, String.valueOf(t));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        assertEquals("7", text(kernel.eval("3 + 4")), "the kernel still works after an interrupt");
    }

    @Test
    void interruptEndsASleepingCell() throws Exception {
        CompletableFuture<Throwable> done = CompletableFuture.supplyAsync(() -> {
            try {
                kernel.eval("Thread.sleep(60_000);");
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(1500);
        kernel.interrupt();
        Throwable t = done.get(5, TimeUnit.SECONDS);
        assertTrue(t instanceof CellException ce && ce.kind() == CellException.Kind.INTERRUPTED, String.valueOf(t));
    }

    @Test
    void mavenMagicLoadsAJarFromTheLocalRepository() throws Exception {
        Path repo = dir.resolve("m2");
        Path src = dir.resolve("msrc/greet/Greeter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package greet; public class Greeter { public static int answer() { return 42; } }");
        Path classes = dir.resolve("mclasses");
        Files.createDirectories(classes);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.toString()));
        Path v = Files.createDirectories(repo.resolve("com/example/greeter/1.0"));
        Files.writeString(v.resolve("greeter-1.0.pom"), "<project><modelVersion>4.0.0</modelVersion><groupId>com.example"
                + "</groupId><artifactId>greeter</artifactId><version>1.0</version></project>");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(v.resolve("greeter-1.0.jar")))) {
            jar.putNextEntry(new java.util.jar.JarEntry("greet/Greeter.class"));
            jar.write(Files.readAllBytes(classes.resolve("greet/Greeter.class")));
            jar.closeEntry();
        }
        JavaKernel k = JavaKernel.builder().optWorkDir(dir).optLocalRepository(repo).build();
        try {
            assertEquals("42", text(k.eval("%maven com.example:greeter:1.0\ngreet.Greeter.answer()")));
            CellException e = assertThrows(CellException.class, () -> k.eval("%maven com.example:absent:2.0"));
            assertTrue(e.getMessage().startsWith("line 1: %maven: com.example:absent:2.0: not resolvable")
                    && e.getMessage().contains("mvn install"), e.getMessage());
        } finally {
            k.onShutdown(false);
        }
    }

    @Test
    void classpathAndJarsMagicsLoadClassesRelativeToTheWorkDir() throws Exception {
        Path src = dir.resolve("src/demo/Hello.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package demo; public class Hello { public String greet() { return \"hi from jar\"; } }");
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.toString()));
        assertEquals(List.of(classes.toString()), kernel.runMagic(new CellSource.Magic("classpath",
                List.of("classes"), 1)));
        assertEquals("hi from jar", text(kernel.eval("new demo.Hello().greet()")));
        CellException e = assertThrows(CellException.class, () -> kernel.eval("int k = 0;\n%jars nothing/*.jar"));
        assertTrue(e.getMessage().startsWith("line 2: %jars: nothing/*.jar: no file matches"), e.getMessage());
        CellException unknown = assertThrows(CellException.class, () -> kernel.eval("%load x.jsh"));
        assertTrue(unknown.getMessage().startsWith("line 1: %load: unknown magic"), unknown.getMessage());
    }
}
