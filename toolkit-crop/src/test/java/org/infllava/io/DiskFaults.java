package org.infllava.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Fault injection for writers (shared with the modules above through the test jar): {@link AtomicFiles.Opener}s
 * that behave like a disk that fills up or a directory that turned read-only, installed process-wide for the length
 * of a try block, and a bit-for-bit snapshot of a directory to check that the previous good state survived.
 *
 * <p>Injection rather than real permissions: the tests may run as root, which ignores a directory's permissions.
 */
public final class DiskFaults implements AutoCloseable {

    private DiskFaults() {}

    /**
     * A disk with {@code budget} bytes left, shared by every file opened through it: the write that would go past
     * the budget throws {@code FileSystemException(<file>, null, "No space left on device")}, as Linux reports
     * {@code ENOSPC}; the bytes before it reach the file (a half-written file, as on a real disk).
     */
    public static AtomicFiles.Opener fullAfter(long budget) {
        AtomicLong left = new AtomicLong(budget);
        return (file, options) -> new FilterOutputStream(AtomicFiles.FILES.open(file, options)) {
            @Override
            public void write(int b) throws IOException {
                if (left.decrementAndGet() < 0) {
                    throw new FileSystemException(file.toString(), null, "No space left on device");
                }
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }
        };
    }

    /** A read-only directory: opening any file for writing throws {@link AccessDeniedException}, as for a non-root user. */
    public static AtomicFiles.Opener readOnly() {
        return (file, options) -> {
            throw new AccessDeniedException(file.toString());
        };
    }

    /** Installs {@code opener} process-wide until {@link #close} restores the default. */
    public static DiskFaults install(AtomicFiles.Opener opener) {
        AtomicFiles.setOpener(opener);
        return new DiskFaults();
    }

    @Override
    public void close() {
        AtomicFiles.setOpener(AtomicFiles.FILES);
    }

    /**
     * Every regular file under {@code dir} (hidden ones included), relative path → bytes, in path order: equal
     * snapshots mean the same tree bit for bit; an empty map for a missing directory.
     */
    public static Map<String, String> snapshot(Path dir) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The names in {@code dir} (hidden ones included), sorted: to check that nothing temporary was left. */
    public static java.util.List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
