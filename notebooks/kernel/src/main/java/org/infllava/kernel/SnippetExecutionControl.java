package org.infllava.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's in-process execution engine for the kernel (modelled on IJava's {@code IJavaExecutionControl}): each
 * snippet runs on a fresh thread whose result object is kept (JShell itself only sees a key), so the kernel can
 * render the value rather than its string, and {@link #interrupt()} can stop a runaway snippet: it interrupts the
 * thread, then, if it is still running after a grace period, stops it ({@code Thread.stop}, which Java 17 still
 * honours).
 */
public final class SnippetExecutionControl extends DirectExecutionControl {

    /** The exception class name JShell reports for an interrupted snippet (blanks: never a real class name). */
    public static final String INTERRUPTED_NAME = "Execution interrupted";

    private static final Object NULL = new Object();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final long graceMillis;
    private volatile Thread running;
    private volatile boolean interrupted;

    /** A control that stops a snippet {@code graceMillis} after an ignored interrupt. */
    public SnippetExecutionControl(long graceMillis) {
        this.graceMillis = graceMillis;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object[] result = new Object[1];
        Throwable[] thrown = new Throwable[1];
        interrupted = false;
        Thread t = new Thread(() -> {
            try {
                result[0] = doitMethod.invoke(null);
            } catch (InvocationTargetException e) {
                thrown[0] = e.getCause() == null ? e : e.getCause();
            } catch (Throwable e) { // ThreadDeath from interrupt(), or a reflection failure
                thrown[0] = e;
            }
        }, "kernel-snippet-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
        running = t;
        t.start();
        try {
            t.join();
        } finally {
            running = null;
        }
        if (interrupted && (thrown[0] instanceof ThreadDeath || thrown[0] instanceof InterruptedException
                || thrown[0] != null && thrown[0].getCause() instanceof InterruptedException || thrown[0] == null)) {
            throw new UserException("interrupted", INTERRUPTED_NAME, new StackTraceElement[0]);
        }
        if (thrown[0] != null) {
            // JShell's own conversion: the cause chain kept, frames translated to snippet ids and lines.
            return throwConvertedInvocationException(thrown[0]);
        }
        String key = UUID.randomUUID().toString();
        results.put(key, result[0] == null ? NULL : result[0]);
        return key;
    }

    /**
     * Takes the value kept under a key that JShell reported as a snippet's value.
     *
     * @return the value, or {@code null} for a null value or an unknown key
     */
    public Object takeResult(String key) {
        Object v = key == null ? null : results.remove(key);
        return v == NULL ? null : v;
    }

    /** Forgets every kept value (the results of statements, which JShell does not report). */
    public void clearResults() {
        results.clear();
    }

    /** Stops the running snippet, if any: interrupt, then {@code Thread.stop} after the grace period. */
    @SuppressWarnings({"removal", "deprecation"})
    public void interrupt() {
        Thread t = running;
        if (t == null) {
            return;
        }
        interrupted = true;
        t.interrupt();
        try {
            t.join(graceMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            try {
                t.stop();
            } catch (UnsupportedOperationException e) {
                // Java 20+: a snippet that ignores interrupts can no longer be stopped.
            }
        }
    }

    @Override
    public void stop() {
        interrupt();
    }

    /** The provider that JShell's builder takes; it hands out the one control given to it. */
    static final class Provider implements ExecutionControlProvider {
        private final SnippetExecutionControl control;

        Provider(SnippetExecutionControl control) {
            this.control = control;
        }

        @Override
        public String name() {
            return "infllava-kernel";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }
}
