package org.infllava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.infllava.data.LlavaDataset;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.HostTensor;
import org.infllava.io.HostileInput;
import org.infllava.io.SafeTensors;
import org.infllava.model.ClipVisionConfig;
import org.infllava.model.LlamaConfig;
import org.infllava.model.ModelDirectory;
import org.infllava.model.io.HfCheckpoint;

/**
 * Fuzz targets of the files training and model loading read (the property: {@link HostileInput}). Regression inputs
 * live in {@code src/test/resources/org/infllava/train/TrainInputsFuzzTestInputs/<target>}.
 */
class TrainInputsFuzzTest {

    /** A model directory around a fuzzed {@code model.safetensors.index.json}, beside one good shard. */
    @FuzzTest
    void shardedIndex(byte[] input) {
        Path dir = HostileInput.dir().resolve("sharded");
        Path shard = dir.resolve("model-00001-of-00001.safetensors");
        if (!Files.exists(shard)) {
            write(dir.resolve("config.json"), "{}".getBytes(StandardCharsets.UTF_8));
            SafeTensors.write(shard, Map.of("w", new HostTensor(new long[] {2, 2}, new float[] {1, 2, 3, 4})),
                    Map.of());
        }
        Path index = dir.resolve("model.safetensors.index.json");
        write(index, input);
        HostileInput.checkFile(index, input.length + 200, 0, () -> {
            try (HfCheckpoint c = HfCheckpoint.open(dir)) {
                for (String name : c.names()) {
                    HostTensor t = c.tensor(name, c.shape(name));
                    assertEquals(4, t.data().length, "only the one shard's tensor can be read");
                }
                return c.names().size();
            }
        });
    }

    /** A model {@code config.json}: the LLM, the vision tower and the toolkit's DEM fields read from it. */
    @FuzzTest
    void modelConfig(byte[] input) {
        Path dir = HostileInput.dir().resolve("model");
        Path cfg = dir.resolve("config.json");
        write(cfg, input);
        HostileInput.checkFile(cfg, input.length, 0, () -> {
            JsonObject c = ModelDirectory.readConfig(dir);
            LlamaConfig llm = LlamaConfig.fromJson(c, cfg);
            assertTrue(llm.hiddenSize() > 0 && llm.layers() >= 0, "a read config is usable: " + llm);
            ClipVisionConfig vision = ClipVisionConfig.fromJson(c, cfg);
            assertTrue(vision.hiddenSize() > 0 && vision.patchSize() > 0, "a read config is usable: " + vision);
            ModelDirectory.template(dir);
            JsonElement toolkit = c.get(ModelDirectory.TOOLKIT_FIELD);
            if (toolkit != null && toolkit.isJsonObject() && toolkit.getAsJsonObject().has("dem")) {
                JsonElement dem = toolkit.getAsJsonObject().get("dem");
                ModelDirectory.demFromJson(dem.isJsonObject() ? dem.getAsJsonObject() : new JsonObject(), cfg);
            }
            return c;
        });
    }

    /** A {@code tokenizer.json}, loaded (by DJL's native tokenizers as well) and used once. */
    @FuzzTest
    void tokenizer(byte[] input) {
        Path f = HostileInput.write("tokenizer.json", input);
        HostileInput.checkFile(f, input.length, 0, () -> {
            try (TextTokenizer t = TextTokenizer.load(f)) {
                t.encode("a b");
                assertTrue(t.vocabSize() >= 0);
                return t.vocabSize();
            }
        });
    }

    /** LLaVA training rows (JSON array or JSONL), lenient and strict, against an image root holding {@code a.png}. */
    @FuzzTest
    void llavaRows(byte[] input) {
        Path root = HostileInput.dir().resolve("images");
        if (!Files.exists(root.resolve("a.png"))) {
            write(root.resolve("a.png"), new byte[] {1});
        }
        Path f = HostileInput.write("train.jsonl", input);
        for (boolean strict : new boolean[] {false, true}) {
            LlavaDataset d = HostileInput.checkFile(f, input.length, 0, () -> LlavaDataset.load(f, root, strict));
            if (d != null) {
                LlavaDataset.Report r = d.report();
                int skipped = r.skipped().values().stream().mapToInt(Integer::intValue).sum();
                assertEquals(r.total(), r.kept() + skipped, "every row is kept or counted as skipped");
                assertTrue(!strict || skipped == 0, "strict mode skips nothing");
                for (LlavaDataset.Row row : d.rows()) {
                    assertTrue(!row.turns().isEmpty() && row.turns().size() % 2 == 0, "kept rows are balanced");
                }
                r.firstProblems().forEach(p -> assertTrue(p.length() < 600 && p.indexOf('\n') < 0, p));
            }
        }
    }

    /** A training run's {@code run.json}. */
    @FuzzTest
    void runConfig(byte[] input) {
        Path f = HostileInput.write("run.json", input);
        RunConfig c = HostileInput.checkFile(f, input.length, 0, () -> RunConfig.load(f));
        if (c != null) {
            assertTrue(c.stage() >= 0 && c.stage() <= 2 && c.train().steps() >= 0, "a loaded config is valid");
        }
    }

    /** A checkpoint's {@code manifest.json}, verified against a checkpoint holding {@code state.json}. */
    @FuzzTest
    void checkpointManifest(byte[] input) {
        Path ckpt = HostileInput.dir().resolve("checkpoints/step-000001");
        if (!Files.exists(ckpt.resolve("state.json"))) {
            write(ckpt.resolve("state.json"), "{}".getBytes(StandardCharsets.UTF_8));
        }
        Path manifest = ckpt.resolve(Checkpoints.MANIFEST);
        write(manifest, input);
        Boolean good = HostileInput.checkFile(manifest, input.length + 2, 0, () -> {
            Checkpoints.verify(ckpt);
            return true;
        });
        if (good != null) {
            assertTrue(Checkpoints.manifestFiles(manifest).keySet().stream().allMatch(n -> n.equals("state.json")),
                    "a checkpoint that verifies lists only its own files");
        }
    }

    private static void write(Path f, byte[] bytes) {
        try {
            Files.createDirectories(f.getParent());
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
