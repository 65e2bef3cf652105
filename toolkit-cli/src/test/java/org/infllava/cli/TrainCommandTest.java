package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir
    Path dir;

    private Path config(String train) throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, """
                {"name": "t", "seed": 1, "stage": 2, "device": "cpu",
                 "model": {"vision": {"random": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                             "num_attention_heads": 4, "image_size": 28, "patch_size": 4}},
                           "llm": {"random": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                             "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256}},
                           "dem": "paper", "grid": 3},
                 "data": {"file": "data/train.jsonl", "tokenizer": "data/tokenizer.json", "template": "plain",
                          "max_length": 128, "synth": {"samples": 8, "image_size": 84}},
                 "train": %s}
                """.formatted(train));
        return f;
    }

    /** Stage 0 trains the tower on one low-resolution view and saves it as a CLIPVisionModel directory. */
    @Test
    void stageZeroSavesAVisionTowerThatLoads() throws IOException {
        Path cfg = config("{\"steps\": 2, \"batch_size\": 2, \"lr\": 0.003}");
        Path runs = dir.resolve("runs0");
        CliRun run = CliRun.of("train", "--config", cfg.toString(), "--stage", "0", "--runs", runs.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("trainable: ") && run.out().contains("vision"), run.out());
        Path tower;
        try (Stream<Path> s = Files.list(runs)) {
            tower = s.findFirst().orElseThrow().resolve("vision");
        }
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            org.infllava.model.ClipVisionEncoder enc = org.infllava.model.ClipVisionEncoder.fromPretrained(tower, m);
            assertEquals(32, enc.config().hiddenSize());
            assertEquals(28, enc.config().imageSize());
        }
    }

    @Test
    void trainsWritesRunFilesAndResumes() throws IOException {
        Path cfg = config("{\"steps\": 4, \"batch_size\": 2, \"lr\": 0.003, \"checkpoint_every\": 2, \"keep_last\": 1}");
        Path runs = dir.resolve("runs");
        CliRun run = CliRun.of("train", "--config", cfg.toString(), "--runs", runs.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("done: loss"), run.out());
        assertTrue(Files.exists(dir.resolve("data/train.jsonl")), "synthetic data written on first use");
        Path runDir;
        try (Stream<Path> s = Files.list(runs)) {
            runDir = s.findFirst().orElseThrow();
        }
        assertEquals(4, Files.readAllLines(runDir.resolve("metrics.jsonl")).size());
        assertTrue(Files.exists(runDir.resolve("provenance.json")));
        try (Stream<Path> s = Files.list(runDir.resolve("checkpoints"))) {
            assertEquals(java.util.List.of("step-000004"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "keep_last 1 keeps only the newest");
        }
        CliRun resumed = CliRun.of("train", "--config", cfg.toString(), "--resume", runDir.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed at step 4"), resumed.out());
    }

    /** --device cpu,cpu: two replicas, the global batch split 1 + 1; the logged losses are the one-device ones. */
    @Test
    void twoCpuReplicasLogTheOneDeviceLosses() throws IOException {
        Path cfg = config("{\"steps\": 3, \"batch_size\": 2, \"lr\": 0.001}");
        float[][] losses = new float[2][];
        String[] devices = {"cpu", "cpu,cpu"};
        for (int k = 0; k < 2; k++) {
            Path runs = dir.resolve("runs-dp" + k);
            CliRun run = CliRun.of("train", "--config", cfg.toString(), "--device", devices[k], "--runs",
                    runs.toString());
            assertEquals(0, run.code(), run.out() + run.err());
            assertEquals(k == 1, run.out().contains("data parallel on [cpu(), cpu()]: global batch 2 split [1, 1]"),
                    run.out());
            Path metrics;
            try (Stream<Path> s = Files.list(runs)) {
                metrics = s.findFirst().orElseThrow().resolve("metrics.jsonl");
            }
            java.util.List<String> lines = Files.readAllLines(metrics);
            assertEquals(3, lines.size());
            losses[k] = new float[3];
            for (int i = 0; i < 3; i++) {
                losses[k][i] = com.google.gson.JsonParser.parseString(lines.get(i)).getAsJsonObject().get("loss")
                        .getAsFloat();
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(losses[0][i], losses[1][i], 1e-5, "loss of step " + (i + 1));
        }
    }

    @Test
    void aWrongFieldIsNamed() throws IOException {
        CliRun run = CliRun.of("train", "--config", config("{\"steps\": 2, \"batchsize\": 2}").toString());
        assertEquals(Main.EXIT_BAD_INPUT, run.code());
        assertTrue(run.err().contains("unknown field 'train.batchsize'"), run.err());
        CliRun device = CliRun.of("train", "--config", config("{\"steps\": 1}").toString(), "--device", "tpu");
        assertEquals(Main.EXIT_BAD_INPUT, device.code());
        assertTrue(device.err().contains("field 'device' must be cpu, gpu, gpu:N or auto, or a comma-separated list of them for data parallelism, got 'tpu'"), device.err());
        CliRun typed = CliRun.of("train", "--config", config("{\"steps\": \"many\"}").toString());
        assertEquals(Main.EXIT_BAD_INPUT, typed.code());
        assertTrue(typed.err().contains("field 'train.steps' must be an integer"), typed.err());
    }
}
