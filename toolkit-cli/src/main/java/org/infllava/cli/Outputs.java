package org.infllava.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.infllava.io.AtomicFiles;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.NpyArrays;

/** Writing command outputs atomically ({@link AtomicFiles}): a temporary file beside the target, then a rename. */
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

    /** Writes a float32 {@code .npy} atomically; on failure nothing is left at {@code out}. */
    static void writeNpy(Path out, HostTensor t) {
        NpyArrays.write(out, t);
    }

    /** Writes pretty-printed JSON and a final newline, atomically; on failure nothing is left at {@code out}. */
    static void writeJson(Path out, JsonElement json) {
        AtomicFiles.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
    }
}
