package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency of {@code infllava train}: a child JVM running the command line is killed with SIGKILL at random
 * moments, half of them aimed at checkpoint writes (the child's checkpoint writer pauses inside each file, see
 * {@link CrashChild}), and resumed with {@code --resume} each time; every resumed run must end with the uninterrupted
 * run's {@code metrics.jsonl} (every step's loss, learning rate, gradient norm and token count) and final checkpoint
 * (weights and optimizer state), bit for bit.
 *
 * <p>The kills run in chains: a run is started, killed, resumed and killed again {@value #KILLS_PER_CHAIN} times, then
 * resumed to its end and compared. {@code -Dinfllava.crash.trials=N} sets the number of kills (default 2 in
 * {@code mvn verify}; {@code scripts/crash-consistency.sh} runs 20 in CI) and {@code -Dinfllava.crash.seed} their
 * timing.
 */
class CrashConsistencyTest {

    static final int KILLS_PER_CHAIN = 4;
    static final int STEPS = 8;

    @TempDir
    Path dir;

    private Path config() throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, """
                {"name": "crash", "seed": 3, "stage": 2, "device": "cpu",
                 "model": {"vision": {"random": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                             "num_attention_heads": 4, "image_size": 28, "patch_size": 4}},
                           "llm": {"random": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                             "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256}},
                           "dem": "paper", "grid": 3},
                 "data": {"file": "data/train.jsonl", "tokenizer": "data/tokenizer.json", "template": "plain",
                          "max_length": 128, "synth": {"samples": 8, "image_size": 84}},
                 "train": {"steps": %d, "batch_size": 2, "lr": 0.003, "checkpoint_every": 2, "keep_last": 2,
                           "log_every": 1}}
                """.formatted(STEPS));
        return f;
    }

    /** A child JVM running {@link CrashChild} and reading its output. */
    private static final class Child {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch training = new CountDownLatch(1);
        volatile long trainingStart;

        Child(List<String> args, long slowMs) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx1g", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                    "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                    "-Dcrash.slowMs=" + slowMs, "-cp", System.getProperty("java.class.path"),
                    CrashChild.class.getName()));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        if (line.startsWith("trainable: ")) {
                            trainingStart = System.nanoTime();
                            training.countDown();
                        }
                    }
                } catch (IOException e) {
                    // the child was killed
                }
                training.countDown();
            });
            reader.setDaemon(true);
            reader.start();
        }

        int waitFor() throws InterruptedException {
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the child did not finish: " + lines);
            }
            return process.exitValue();
        }

        /** SIGKILL (Process.destroyForcibly on Linux), then reaped. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private static Path onlyRun(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) {
            return null;
        }
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> all = s.toList();
            assertTrue(all.size() <= 1, "one run directory: " + all);
            return all.isEmpty() ? null : all.get(0);
        }
    }

    private static boolean writingCheckpoint(Path run) {
        Path c = run == null ? null : run.resolve("checkpoints");
        if (c == null || !Files.isDirectory(c)) {
            return false;
        }
        try (Stream<Path> s = Files.list(c)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"));
        } catch (IOException e) {
            return false; // the directory changed under us
        }
    }

    @Test
    void killedAndResumedRunsEndBitForBitLikeAnUninterruptedOne() throws Exception {
        int trials = Integer.getInteger("infllava.crash.trials", 2);
        Random random = new Random(Long.getLong("infllava.crash.seed", 18));
        Path cfg = config();

        Path refRuns = dir.resolve("ref");
        Child ref = new Child(List.of("train", "--config", cfg.toString(), "--runs", refRuns.toString()), 0);
        assertEquals(0, ref.waitFor(), String.join("\n", ref.lines));
        long trainingMs = Math.max(200, (System.nanoTime() - ref.trainingStart) / 1_000_000);
        Path refRun = onlyRun(refRuns);

        int kills = 0;
        int duringCheckpoint = 0;
        int launches = 1;
        int skippedCorrupt = 0;
        for (int chain = 0; kills < trials; chain++) {
            Path runs = dir.resolve("crash-" + chain);
            for (int k = 0; k < KILLS_PER_CHAIN && kills < trials; k++) {
                Path run = onlyRun(runs);
                List<String> args = run == null
                        ? List.of("train", "--config", cfg.toString(), "--runs", runs.toString())
                        : List.of("train", "--config", cfg.toString(), "--resume", run.toString());
                boolean aimAtCheckpoint = kills % 2 == 1;
                Child c = new Child(args, aimAtCheckpoint ? 150 : 20);
                launches++;
                c.training.await(300, TimeUnit.SECONDS);
                if (aimAtCheckpoint) {
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    while (c.process.isAlive() && !writingCheckpoint(onlyRun(runs)) && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    Thread.sleep(random.nextInt(120));
                } else {
                    Thread.sleep(random.nextInt((int) trainingMs));
                }
                if (!c.process.isAlive()) {
                    assertEquals(0, c.process.exitValue(), String.join("\n", c.lines));
                    continue; // it finished before the kill: the chain goes on with another resume
                }
                c.kill();
                kills++;
                duringCheckpoint += writingCheckpoint(onlyRun(runs)) ? 1 : 0;
                skippedCorrupt += (int) c.lines.stream().filter(l -> l.startsWith("skipping checkpoint")).count();
            }
            Path run = onlyRun(runs);
            List<String> args = run == null
                    ? List.of("train", "--config", cfg.toString(), "--runs", runs.toString())
                    : List.of("train", "--config", cfg.toString(), "--resume", run.toString());
            Child last = new Child(args, 0);
            launches++;
            assertEquals(0, last.waitFor(), String.join("\n", last.lines));
            skippedCorrupt += (int) last.lines.stream().filter(l -> l.startsWith("skipping checkpoint")).count();
            run = onlyRun(runs);
            assertEquals(metrics(refRun), metrics(run), "chain " + chain + ": the loss curve");
            String last8 = String.format("checkpoints/step-%06d/", STEPS);
            for (String f : List.of("trainable.safetensors", "optimizer.safetensors")) {
                assertArrayEquals(Files.readAllBytes(refRun.resolve(last8 + f)), Files.readAllBytes(run.resolve(last8
                        + f)), "chain " + chain + ": " + f);
            }
        }
        System.out.printf("crash consistency: %d SIGKILLs (%d during a checkpoint write) over %d launches, "
                + "%d bad checkpoints named and skipped; every resumed run ended bit for bit like the reference%n",
                kills, duringCheckpoint, launches, skippedCorrupt);
        if (trials >= 2) {
            assertTrue(duringCheckpoint >= 1, "at least one kill landed in a checkpoint write");
        }
    }

    /** metrics.jsonl without the wall-clock field. */
    private static List<String> metrics(Path run) {
        try {
            return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                    .map(l -> l.replaceAll(",\"seconds\":[^,}]*", "")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
