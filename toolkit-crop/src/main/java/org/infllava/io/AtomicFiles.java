package org.infllava.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writing files and directories so that a failure (a full disk, a read-only directory, a crash) never leaves a
 * half-written result under the target's name: everything is written beside the target under a hidden temporary
 * name, then renamed into place in one atomic step. The previous file or directory stays intact, bit for bit, until
 * the new one is complete; on failure the temporary one is removed.
 *
 * <p>Every byte the toolkit writes goes through one process-wide {@link Opener}: checkpoints, model directories,
 * safetensors and {@code .npy} files, crop outputs, evaluation predictions and summaries. Tests replace it
 * ({@link #setOpener}) to inject faults — a disk that fills after N bytes, a directory that refuses writes — which is
 * how read-only directories are tested even when the tests run as root (root ignores file permissions).
 *
 * <p>Errors are {@link InvalidInputException}s naming the target and the cause in one line, with the two common
 * causes spelled out ({@link #describe}): {@code the disk is full} and {@code permission denied (a read-only
 * directory?)}.
 */
public final class AtomicFiles {

    /** Opens a file for writing; a fault injector throws, or returns a stream that fails part-way. */
    @FunctionalInterface
    public interface Opener {
        /** An output stream to {@code file}, opened with {@code options} (none: create or truncate). */
        OutputStream open(Path file, OpenOption... options) throws IOException;
    }

    /** Writes one file's bytes. */
    @FunctionalInterface
    public interface Content {
        /** Writes to {@code out} (closed by the caller). */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Fills a temporary directory that then becomes the target. */
    @FunctionalInterface
    public interface Filler<T> {
        /** Writes the directory's files into {@code tmp} (through {@link #newOutputStream} and friends). */
        T fill(Path tmp) throws IOException;
    }

    /** The default opener: {@link Files#newOutputStream}. */
    public static final Opener FILES = Files::newOutputStream;

    private static volatile Opener opener = FILES;
    private static final AtomicLong SERIAL = new AtomicLong();

    private AtomicFiles() {}

    /**
     * Replaces the process-wide opener (fault injection in tests and in child JVMs); {@link #FILES} restores the
     * default.
     */
    public static void setOpener(Opener o) {
        opener = Objects.requireNonNull(o, "opener");
    }

    /** The process-wide opener. */
    public static Opener opener() {
        return opener;
    }

    /** An output stream to {@code file} through the process-wide opener. */
    public static OutputStream newOutputStream(Path file, OpenOption... options) throws IOException {
        return opener.open(file, options);
    }

    /**
     * Writes {@code text} as UTF-8 to {@code file} through the opener, not atomically: for a file inside the temporary
     * directory of {@link #writeDirectory}.
     */
    public static void writeInto(Path file, String text) throws IOException {
        try (OutputStream out = newOutputStream(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Copies {@code source} to {@code target} through the opener, not atomically (as {@link #writeInto}). */
    public static void copyInto(Path source, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(source); OutputStream out = newOutputStream(target)) {
            in.transferTo(out);
        }
    }

    /**
     * Writes {@code file} atomically: a hidden temporary file beside it, then a rename over it.
     *
     * @throws InvalidInputException {@code <file>: cannot write: <cause>}; {@code file} is then as it was (absent, or
     *     the previous version bit for bit) and no temporary file is left
     */
    public static void write(Path file, Content content) {
        Path abs = file.toAbsolutePath();
        Path tmp = temporary(abs);
        boolean existed = Files.exists(abs);
        try {
            Files.createDirectories(abs.getParent());
            try (OutputStream out = newOutputStream(tmp)) {
                content.writeTo(out);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp, e);
            throw failure(file, existed, e);
        }
    }

    /** Writes {@code text} as UTF-8 to {@code file} atomically (see {@link #write(Path, Content)}). */
    public static void writeString(Path file, String text) {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes the directory {@code dir} atomically: {@code filler} fills a hidden temporary directory beside it, which
     * then replaces {@code dir} as a whole (the old one is renamed aside, the new one renamed into place, the old one
     * deleted; if the second rename fails the old one is put back).
     *
     * @return what {@code filler} returns
     * @throws InvalidInputException {@code <dir>: cannot write: <cause>}; {@code dir} is then as it was and no
     *     temporary directory is left
     */
    public static <T> T writeDirectory(Path dir, Filler<T> filler) {
        Path abs = dir.toAbsolutePath();
        boolean existed = Files.exists(abs);
        Path tmp = temporary(abs);
        try {
            Files.createDirectories(abs.getParent());
            Files.createDirectory(tmp);
            T result = filler.fill(tmp);
            replace(tmp, abs);
            return result;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp, e);
            throw failure(dir, existed, e);
        }
    }

    /**
     * The cause of a write failure in words: {@code the disk is full: ...}, {@code permission denied (a read-only
     * directory?): ...}, else the exception's message.
     */
    public static String describe(Throwable e) {
        // The file system's own exception, even when wrapped (ImageIO wraps it in "I/O error writing PNG file!").
        Throwable shown = null;
        for (Throwable t = e; t != null && shown == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FileSystemException) {
                shown = t;
            }
        }
        for (Throwable t = e; t != null && shown == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                shown = t;
            }
        }
        shown = shown == null ? e : shown;
        String m = shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
        if (shown instanceof AccessDeniedException || m.contains("Permission denied")
                || m.contains("Read-only file system")) {
            return "permission denied (a read-only directory?): " + m;
        }
        if (m.contains("No space left") || m.contains("Disk quota exceeded")) {
            return "the disk is full: " + m;
        }
        return m.replaceAll("\\p{Cntrl}", "?");
    }

    private static InvalidInputException failure(Path target, boolean existed, Throwable e) {
        if (e instanceof InvalidInputException iie && !(iie.getCause() instanceof IOException)) {
            return iie; // the content's own error (bad input), already naming its file
        }
        return new InvalidInputException(target, "cannot write: " + describe(e)
                + (existed ? " (the previous version is intact)" : " (nothing was written)"), e);
    }

    /** A hidden name beside {@code target}, unique in this process. */
    private static Path temporary(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + SERIAL.incrementAndGet());
    }

    private static void replace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid() + "-"
                    + SERIAL.incrementAndGet());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (old != null) {
            try {
                PathTrees.delete(old);
            } catch (IOException e) {
                // the new directory is in place; a leftover hidden .old-* is harmless
            }
        }
    }

    private static void deleteQuietly(Path p, Throwable failure) {
        try {
            PathTrees.delete(p);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
