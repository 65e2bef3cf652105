package org.infllava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.infllava.io.AtomicFiles;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checksummed, atomic checkpoints: verification, fallback to the previous good one, and injected disk faults. */
class CheckpointsTest {

    @TempDir
    Path dir;

    private static Map<String, Checkpoints.Content> files(int step) {
        Map<String, Checkpoints.Content> f = new LinkedHashMap<>();
        byte[] weights = new byte[1000];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (i * 31 + step);
        }
        f.put("trainable.safetensors", o -> o.write(weights));
        f.put("state.json", o -> o.write(("{\"step\": " + step + "}\n").getBytes(StandardCharsets.UTF_8)));
        return f;
    }

    private List<String> names(Path checkpoints) throws IOException {
        try (Stream<Path> s = Files.list(checkpoints)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The manifest's sizes and SHA-256 sums are those of the files as written, summed here independently. */
    @Test
    void manifestListsEveryFileWithItsChecksum() throws Exception {
        Checkpoints c = new Checkpoints(dir.resolve("checkpoints"), 2);
        Path p = c.write(2, files(2));
        assertEquals(dir.resolve("checkpoints/step-000002"), p);
        Map<String, com.google.gson.JsonObject> m = Checkpoints.manifestFiles(p.resolve(Checkpoints.MANIFEST));
        assertEquals(List.of("trainable.safetensors", "state.json"), new ArrayList<>(m.keySet()));
        for (String name : m.keySet()) {
            byte[] bytes = Files.readAllBytes(p.resolve(name));
            assertEquals(bytes.length, m.get(name).get("bytes").getAsLong());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                    m.get(name).get("sha256").getAsString());
        }
        Checkpoints.verify(p);
        assertEquals(List.of("step-000002"), names(c.directory()), "nothing but the checkpoint (no .tmp)");
    }

    @Test
    void keepsTheNewestAndLeavesNoTrash() throws IOException {
        Checkpoints c = new Checkpoints(dir.resolve("checkpoints"), 2);
        for (int step = 1; step <= 5; step++) {
            c.write(step, files(step));
        }
        assertEquals(List.of("step-000004", "step-000005"), names(c.directory()));
        assertEquals(List.of(c.path(5), c.path(4)), c.list(), "newest first");
    }

    /** A flipped byte, a truncated file, a missing manifest: each named, and the previous good checkpoint taken. */
    @Test
    void aCorruptedOrHalfWrittenCheckpointIsNamedAndSkipped() throws IOException {
        Checkpoints c = new Checkpoints(dir.resolve("checkpoints"), 5);
        for (int step = 1; step <= 4; step++) {
            c.write(step, files(step));
        }
        Path flipped = c.path(4).resolve("trainable.safetensors");
        byte[] b = Files.readAllBytes(flipped);
        b[500] ^= 1;
        Files.write(flipped, b);
        Path truncated = c.path(3).resolve("state.json");
        Files.write(truncated, new byte[3]);
        Files.delete(c.path(2).resolve(Checkpoints.MANIFEST));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Checkpoints.verify(c.path(4)));
        assertEquals(flipped, e.file());
        assertTrue(e.getMessage().contains("(corrupted)"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Checkpoints.verify(c.path(3)));
        assertEquals(truncated + ": has 3 bytes, manifest.json says 12 (truncated or changed)", e.getMessage());

        List<String> skipped = new ArrayList<>();
        assertEquals(c.path(1), c.latestGood(skipped::add).orElseThrow());
        assertEquals(3, skipped.size(), skipped.toString());
        assertTrue(skipped.get(0).startsWith("skipping checkpoint " + c.path(4) + ": " + flipped), skipped.get(0));
        assertTrue(skipped.get(2).contains("no manifest.json (half-written, or not a checkpoint)"), skipped.get(2));

        Files.delete(c.path(1).resolve("state.json"));
        assertTrue(c.latestGood(s -> { }).isEmpty(), "no good checkpoint: none is loaded");
    }

    /** A disk that fills up part-way through the weights: a clear error, the half checkpoint removed, the last kept. */
    @Test
    void aFullDiskLeavesThePreviousCheckpointIntact() throws IOException {
        Path cdir = dir.resolve("checkpoints");
        new Checkpoints(cdir, 2).write(2, files(2));
        AtomicFiles.Opener full = (file, options) -> new FilterOutputStream(Files.newOutputStream(file)) {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 700) {
                    throw new FileSystemException(file.toString(), null, "No space left on device");
                }
                out.write(b);
            }

            @Override
            public void write(byte[] bytes, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(bytes[off + i]);
                }
            }
        };
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new Checkpoints(cdir, 2, full).write(4, files(4)));
        assertEquals(cdir.resolve("step-000004"), e.file());
        assertTrue(e.getMessage().contains("cannot write checkpoint: the disk is full: ")
                && e.getMessage().endsWith("(the previous checkpoint step-000002 is intact)"), e.getMessage());
        assertEquals(List.of("step-000002"), names(cdir), "no half checkpoint, no .tmp");
        Checkpoints.verify(cdir.resolve("step-000002"));
    }

    /** A directory that turned read-only (simulated: the opener refuses, as the OS would for a non-root user). */
    @Test
    void aReadOnlyDirectoryIsAClearError() throws IOException {
        Path cdir = dir.resolve("checkpoints");
        new Checkpoints(cdir, 2).write(1, files(1));
        AtomicFiles.Opener readOnly = (file, options) -> {
            throw new AccessDeniedException(file.toString());
        };
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new Checkpoints(cdir, 2, readOnly).write(2, files(2)));
        assertTrue(e.getMessage().startsWith(cdir.resolve("step-000002") + ": cannot write checkpoint: permission "
                + "denied (a read-only directory?): "), e.getMessage());
        assertEquals(List.of("step-000001"), names(cdir));
        Checkpoints.verify(cdir.resolve("step-000001"));
    }

    /** A checkpoint rewritten at the same step (after falling back past a corrupt one) replaces it whole. */
    @Test
    void rewritingAStepReplacesTheCorruptCheckpoint() throws IOException {
        Checkpoints c = new Checkpoints(dir.resolve("checkpoints"), 3);
        c.write(2, files(2));
        Files.write(c.path(2).resolve("state.json"), new byte[] {'x'});
        c.write(2, files(2));
        Checkpoints.verify(c.path(2));
        assertFalse(Files.exists(c.directory().resolve(".step-000002.tmp")));
        assertEquals(List.of("step-000002"), names(c.directory()));
    }
}
