package org.infllava.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.infllava.io.AtomicFiles;
import org.infllava.io.InvalidInputException;
import org.infllava.io.PathTrees;

/**
 * Crash-consistent checkpoint directories {@code <runDir>/checkpoints/step-NNNNNN}, in the way of PyTorch's practice
 * (write aside, then rename), with checksums.
 *
 * <p>{@link #write} puts every file into {@code .step-NNNNNN.tmp}, syncs it to disk, then writes
 * {@code manifest.json} (each file's size and SHA-256) last, syncs the directory and renames it into place in one
 * atomic step. A directory named {@code step-*} is therefore complete; one killed half-way is a {@code .tmp} that the
 * next write clears. Old checkpoints are renamed to {@code .trash-*} before they are deleted, so a deletion cut short
 * never leaves a half checkpoint under a checkpoint's name.
 *
 * <p>{@link #verify} checks a checkpoint against its manifest; {@link #latestGood} takes the newest checkpoint that
 * verifies, naming and skipping any that do not (a corrupted file, a missing manifest), so a bad checkpoint is never
 * loaded.
 *
 * <p>Every byte goes through an {@link AtomicFiles.Opener}: tests inject faults there (a full disk, a read-only directory) and
 * check that the error is clear and the previous checkpoint intact.
 */
public final class Checkpoints {

    /** The manifest's file name. */
    public static final String MANIFEST = "manifest.json";

    private static final Pattern NAME = Pattern.compile("step-\\d{6,}");

    /** Writes one file's bytes. */
    @FunctionalInterface
    public interface Content {
        /** Writes to {@code out} (closed by the caller). */
        void writeTo(OutputStream out) throws IOException;
    }

    private final Path dir;
    private final int keepLast;
    private final AtomicFiles.Opener opener;

    /**
     * Checkpoints under {@code dir} whose bytes go through the process-wide {@link AtomicFiles#opener()} (as it is
     * when this is built).
     *
     * @param dir the {@code checkpoints} directory
     * @param keepLast how many to keep
     */
    public Checkpoints(Path dir, int keepLast) {
        this(dir, keepLast, AtomicFiles.opener());
    }

    /** Checkpoints under {@code dir} whose bytes go through {@code opener} (fault injection). */
    public Checkpoints(Path dir, int keepLast, AtomicFiles.Opener opener) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
        }
        this.dir = dir;
        this.keepLast = keepLast;
        this.opener = opener;
    }

    /** The {@code checkpoints} directory. */
    public Path directory() {
        return dir;
    }

    /** The directory of the checkpoint at {@code step}. */
    public Path path(int step) {
        return dir.resolve(String.format("step-%06d", step));
    }

    /**
     * Writes a checkpoint atomically, then keeps the newest {@code keepLast}.
     *
     * @param files file name → content, written in order; {@code manifest.json} is added
     * @return the checkpoint's directory
     * @throws InvalidInputException naming the checkpoint and the cause (a full disk, a read-only directory); the
     *     checkpoints written before are then untouched and the half-written one removed
     */
    public Path write(int step, Map<String, Content> files) {
        Path target = path(step);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            PathTrees.delete(tmp);
            Files.createDirectories(tmp);
            JsonObject listed = new JsonObject();
            for (Map.Entry<String, Content> f : files.entrySet()) {
                Path file = tmp.resolve(f.getKey());
                MessageDigest sha = sha256();
                long bytes;
                try (Counting out = new Counting(opener.open(file), sha)) {
                    f.getValue().writeTo(out);
                    out.flush();
                    bytes = out.count;
                }
                sync(file);
                JsonObject entry = new JsonObject();
                entry.addProperty("bytes", bytes);
                entry.addProperty("sha256", HexFormat.of().formatHex(sha.digest()));
                listed.add(f.getKey(), entry);
            }
            JsonObject manifest = new JsonObject();
            manifest.addProperty("format", 1);
            manifest.addProperty("step", step);
            manifest.add("files", listed);
            Path m = tmp.resolve(MANIFEST);
            try (OutputStream out = opener.open(m)) {
                out.write((manifest + "\n").getBytes(StandardCharsets.UTF_8));
            }
            sync(m);
            sync(tmp);
            if (Files.exists(target)) {
                trash(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            sync(dir);
        } catch (IOException | RuntimeException e) {
            try {
                PathTrees.delete(tmp);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            String kept = list().stream().filter(p -> !p.equals(target)).findFirst()
                    .map(p -> " (the previous checkpoint " + p.getFileName() + " is intact)").orElse("");
            throw new InvalidInputException(target, "cannot write checkpoint: " + AtomicFiles.describe(e) + kept, e);
        }
        try {
            List<Path> all = list();
            for (int i = keepLast; i < all.size(); i++) {
                trash(all.get(i));
            }
            emptyTrash();
        } catch (IOException e) {
            // The new checkpoint is complete; an old one left over is removed by the next write.
        }
        return target;
    }

    /** The checkpoints, newest first. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        } catch (IOException e) {
            throw new InvalidInputException(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    /**
     * Checks a checkpoint against its manifest: every file present with its size and SHA-256.
     *
     * @throws InvalidInputException naming the checkpoint (or its file) and what is wrong
     */
    public static void verify(Path checkpoint) {
        Path m = checkpoint.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) {
            throw new InvalidInputException(checkpoint, "no " + MANIFEST + " (half-written, or not a checkpoint)");
        }
        Map<String, JsonObject> files = manifestFiles(m);
        for (Map.Entry<String, JsonObject> e : files.entrySet()) {
            Path f = checkpoint.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                throw new InvalidInputException(f, "missing (listed in " + MANIFEST + ")");
            }
            long bytes = e.getValue().get("bytes").getAsLong();
            String sha = e.getValue().get("sha256").getAsString();
            try {
                long size = Files.size(f);
                if (size != bytes) {
                    throw new InvalidInputException(f, "has " + size + " bytes, " + MANIFEST + " says " + bytes
                            + " (truncated or changed)");
                }
                MessageDigest d = sha256();
                try (InputStream in = Files.newInputStream(f)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        d.update(buf, 0, n);
                    }
                }
                String found = HexFormat.of().formatHex(d.digest());
                if (!found.equals(sha)) {
                    throw new InvalidInputException(f, "SHA-256 " + found.substring(0, 12) + "... differs from "
                            + MANIFEST + "'s " + sha.substring(0, Math.min(12, sha.length())) + "... (corrupted)");
                }
            } catch (IOException ex) {
                throw new InvalidInputException(f, "cannot read: " + ex.getMessage(), ex);
            }
        }
    }

    /** The files a manifest lists, each with a non-negative {@code bytes} and a {@code sha256} string. */
    static Map<String, JsonObject> manifestFiles(Path manifest) {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(Files.readString(manifest));
        } catch (IOException | JsonParseException e) {
            throw new InvalidInputException(manifest, "unreadable: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
        JsonElement files = parsed.isJsonObject() ? parsed.getAsJsonObject().get("files") : null;
        if (files == null || !files.isJsonObject()) {
            throw new InvalidInputException(manifest, "no \"files\" object");
        }
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : files.getAsJsonObject().entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")
                    || name.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidInputException(manifest, "lists '" + InvalidInputException.excerpt(name)
                        + "', not a file name of the checkpoint");
            }
            JsonElement v = e.getValue();
            JsonObject o = v.isJsonObject() ? v.getAsJsonObject() : null;
            boolean ok = o != null && o.has("bytes") && o.get("bytes").isJsonPrimitive()
                    && o.get("bytes").getAsJsonPrimitive().isNumber() && o.has("sha256")
                    && o.get("sha256").isJsonPrimitive() && o.get("sha256").getAsJsonPrimitive().isString();
            if (ok) {
                try {
                    ok = o.get("bytes").getAsBigDecimal().longValueExact() >= 0;
                } catch (ArithmeticException | NumberFormatException ex) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new InvalidInputException(manifest, "entry '" + InvalidInputException.excerpt(name)
                        + "' needs a non-negative \"bytes\" and a \"sha256\" string");
            }
            out.put(name, o);
        }
        return out;
    }

    /**
     * The newest checkpoint that {@linkplain #verify verifies}; each newer one that does not is named to
     * {@code skipped} and passed over.
     */
    public Optional<Path> latestGood(Consumer<String> skipped) {
        for (Path p : list()) {
            try {
                verify(p);
                return Optional.of(p);
            } catch (InvalidInputException e) {
                skipped.accept("skipping checkpoint " + p + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private void trash(Path checkpoint) throws IOException {
        Path t = dir.resolve(".trash-" + checkpoint.getFileName() + "-" + System.nanoTime());
        Files.move(checkpoint, t, StandardCopyOption.ATOMIC_MOVE);
    }

    private void emptyTrash() throws IOException {
        List<Path> trash = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(".trash-")).forEach(trash::add);
        }
        for (Path t : trash) {
            PathTrees.delete(t);
        }
    }

    /** Forces a file's (or a directory's) content to the disk; directories that cannot be opened are skipped. */
    private static void sync(Path p) throws IOException {
        boolean directory = Files.isDirectory(p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!directory) {
                throw e;
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts and digests what passes through. */
    private static final class Counting extends FilterOutputStream {
        private final MessageDigest digest;
        private long count;

        Counting(OutputStream out, MessageDigest digest) {
            super(out);
            this.digest = digest;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }
    }
}
