package org.infllava.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.NpyArrays;

/** Writing command outputs atomically: a temporary file beside the target, then a rename. */
final class Outputs {

    private Outputs() {}

    /** Creates {@code parent/prefix-yyyyMMdd-HHmmss} (with {@code -2}, {@code -3}, … when it exists) and returns it. */
    static Path newRunDirectory(Path parent, String prefix) {
        String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        try {
            Files.createDirectories(parent);
            Path run = parent.resolve(prefix + "-" + stamp);
            for (int i = 2; Files.exists(run); i++) {
                run = parent.resolve(prefix + "-" + stamp + "-" + i);
            }
            return Files.createDirectory(run);
        } catch (IOException e) {
            throw new InvalidInputException(parent, "cannot create the run directory: " + e.getMessage(), e);
        }
    }

    /** Writes a float32 {@code .npy}; on failure nothing is left at {@code out}. */
    static void writeNpy(Path out, HostTensor t) {
        atomically(out, tmp -> NpyArrays.write(tmp, t));
    }

    /** Writes pretty-printed JSON and a final newline; on failure nothing is left at {@code out}. */
    static void writeJson(Path out, JsonElement json) {
        atomically(out, tmp -> Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(json)
                + "\n", StandardCharsets.UTF_8));
    }

    /** Something that writes a file. */
    private interface Writer {
        void write(Path file) throws IOException;
    }

    /** Writes to a temporary file beside {@code out}, then renames it to {@code out}. */
    private static void atomically(Path out, Writer writer) {
        Path abs = out.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        try {
            Files.createDirectories(abs.getParent());
            writer.write(tmp);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InvalidInputException(out, "cannot write: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
