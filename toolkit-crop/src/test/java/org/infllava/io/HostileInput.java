package org.infllava.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The property every parser's fuzz target checks (docs/reliability.md): for any bytes, the parser returns a result or
 * throws {@link InvalidInputException} whose message names the file and a problem; it throws nothing else (an
 * {@link Error} such as {@link OutOfMemoryError} or {@link StackOverflowError} included, which propagates and so is a
 * finding), and it allocates no more heap than the input justifies: {@link #BASE_BYTES} plus
 * {@link #BYTES_PER_INPUT_BYTE} per input byte plus what the caller declares (an image's pixel limit). A header that
 * claims 2^40 bytes must therefore be refused before allocating. A parse may take at most {@link #MAX_SECONDS}
 * (while fuzzing, libFuzzer's {@code -timeout}, set by {@code scripts/fuzz.sh}, also stops one that never returns).
 *
 * <p>Inputs are written to a fixed file per thread, so file names in messages are predictable and fuzzing does not
 * litter the disk.
 */
public final class HostileInput {

    /** Heap any parse may use regardless of its input: JSON trees, readers, buffers, exception messages. */
    public static final long BASE_BYTES = 24L << 20;

    /** Heap a parse may use per byte of input (a JSON object costs far more than its text). */
    public static final long BYTES_PER_INPUT_BYTE = 256;

    /** The longest a parse of a fuzz input may take, class loading and first compilation included. */
    public static final double MAX_SECONDS = 10;

    /** The longest message, file name aside: a message quotes a few words of the input, never all of it. */
    public static final int MAX_MESSAGE = 500;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final ThreadLocal<Path> DIR = ThreadLocal.withInitial(() -> {
        try {
            Path d = Files.createTempDirectory("infllava-fuzz");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private HostileInput() {}

    /** This thread's scratch directory (created once). */
    public static Path dir() {
        return DIR.get();
    }

    /** Writes {@code bytes} to {@code name} in this thread's scratch directory and returns its path. */
    public static Path write(String name, byte[] bytes) {
        Path f = dir().resolve(name);
        try {
            Files.createDirectories(f.getParent());
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /**
     * Runs {@code parse} and checks the property.
     *
     * @param inputBytes the size of everything the parse reads
     * @param declaredBytes heap the caller's own limits allow on top (0 for most parsers)
     * @return the result, or {@code null} when the input was refused as it should be
     */
    public static <T> T check(long inputBytes, long declaredBytes, Supplier<T> parse) {
        long budget = BASE_BYTES + BYTES_PER_INPUT_BYTE * inputBytes + declaredBytes;
        long t0 = System.nanoTime();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T result = run(parse);
        long used = THREADS.getCurrentThreadAllocatedBytes() - before;
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds <= MAX_SECONDS, "the parse took " + seconds + " s");
        if (used > budget) {
            // The first parse of a kind also loads and initialises classes (DJL, ImageIO): measure a warm one.
            before = THREADS.getCurrentThreadAllocatedBytes();
            run(parse);
            used = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (used > budget) {
                fail("allocated " + used + " bytes for " + inputBytes + " input bytes (budget " + budget + ")");
            }
        }
        return result;
    }

    private static <T> T run(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidInputException e) {
            String m = e.getMessage();
            assertTrue(m != null && !m.isBlank() && m.indexOf('\n') < 0 && m.indexOf('\r') < 0,
                    "the error is one line: " + m);
            int pathLength = e.file() == null ? 0 : e.file().toString().length();
            assertTrue(m.length() <= MAX_MESSAGE + pathLength, "the error is short (" + m.length() + " chars), not an "
                    + "echo of the input: " + m.substring(0, Math.min(m.length(), 300)));
            if (e.file() != null) {
                assertTrue(m.startsWith(e.file() + ": ") && m.length() > (e.file() + ": ").length(),
                        "the message names the file and a problem: " + m);
            }
            return null;
        }
    }

    /** {@link #check(long, long, Supplier)} that also requires the error to name {@code file}. */
    public static <T> T checkFile(Path file, long inputBytes, long declaredBytes, Supplier<T> parse) {
        return check(inputBytes, declaredBytes, () -> {
            try {
                return parse.get();
            } catch (InvalidInputException e) {
                assertTrue(e.file() != null && e.file().startsWith(dir()), "the error names the input file, not only "
                        + "a setting: " + e.getMessage());
                throw e;
            }
        });
    }
}
