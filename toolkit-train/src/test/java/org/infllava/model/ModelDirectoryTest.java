package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.infllava.data.SynthCaptions;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.dem.StandardFusion;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving a model as a directory and loading it back; batched generation against one row at a time. */
class ModelDirectoryTest {

    @TempDir
    Path dir;

    private static final ClipVisionConfig TOWER = new ClipVisionConfig(32, 64, 2, 2, 3, 28, 14, "quick_gelu", 1e-5f);
    private static final LlamaConfig LLM = new LlamaConfig(40, 32, 64, 2, 4, 2, 1e-6f, 10000, null, 256, false);

    private static InfLlavaModel model(NDManager m, DualPerspectiveEnhancement dem, boolean referenceLowRes) {
        ClipVisionEncoder vision = new ClipVisionEncoder(TOWER);
        vision.initialize(m, 1);
        LlamaDecoder llm = new LlamaDecoder(LLM);
        llm.initialize(m, 2);
        MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, 32, 32);
        projector.initialize(m, 3);
        if (dem != null) {
            dem.initialize(m, 4);
        }
        return InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector).optDem(dem)
                .optReferenceLowRes(referenceLowRes).build();
    }

    private static BufferedImage image(int seed) {
        BufferedImage img = new BufferedImage(90, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 12; i++) {
            g.setColor(new Color(r.nextInt(0xFFFFFF)));
            g.fillRect(r.nextInt(80), r.nextInt(50), 5 + r.nextInt(20), 5 + r.nextInt(20));
        }
        g.dispose();
        return img;
    }

    private Path tokenizer() throws IOException {
        List<String> words = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
        for (int i = 0; i < 36; i++) {
            words.add("w" + i);
        }
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, SynthCaptions.wordLevelTokenizer(words));
        return f;
    }

    /** Everything the model computes survives the round trip: visual tokens and next-token logits, bit for bit. */
    @Test
    void paperModelRoundTripsThroughADirectory() throws IOException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            DualPerspectiveEnhancement dem = DemPresets.paperBuilder(32, 2, 2).optFusion(StandardFusion.ADD).build();
            InfLlavaModel a = model(m, dem, false);
            Path out = dir.resolve("paper-model");
            a.save(out, tokenizer(), "plain");
            JsonObject cfg = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
            assertEquals("vision", cfg.get("mm_vision_tower").getAsString());
            assertEquals(32, cfg.get("mm_hidden_size").getAsInt());
            assertEquals("add", cfg.getAsJsonObject("infllava").getAsJsonObject("dem").get("fusion").getAsString()
                    .toLowerCase());
            assertEquals(Optional.of("plain"), ModelDirectory.template(out));
            assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));

            InfLlavaModel b = InfLlavaModel.fromPretrained(out, null, m);
            assertEquals(a.dem().config(), b.dem().config());
            assertFalse(b.referenceLowRes());
            ParameterStore ps = new ParameterStore(m, false);
            BufferedImage img = image(5);
            assertArrayEquals(a.visualTokens(ps, m, img, false).toFloatArray(),
                    b.visualTokens(ps, m, img, false).toFloatArray());
            long[] ids = {1, 7, ChatTemplate.IMAGE_TOKEN, 9, 11};
            var ea = a.embed(ps, m, ids, List.of(img), false);
            var eb = b.embed(ps, m, ids, List.of(img), false);
            long t = ea.getShape().get(1);
            var pos = m.arange(0f, (float) t).reshape(1, t);
            assertArrayEquals(a.llm().forward(ps, ea, null, pos, null, false).toFloatArray(),
                    b.llm().forward(ps, eb, null, pos, null, false).toFloatArray());
        }
    }

    /** Without a DEM the directory says {@code "dem": null} and loads back as LLaVA-1.5 (one view, g² tokens). */
    @Test
    void llava15ModelRoundTripsWithoutADem() throws IOException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InfLlavaModel a = model(m, null, false);
            Path out = dir.resolve("llava15");
            a.save(out, tokenizer(), "plain");
            InfLlavaModel b = InfLlavaModel.fromPretrained(out, null, m);
            assertNull(b.dem());
            ParameterStore ps = new ParameterStore(m, false);
            assertEquals(new Shape(1, 4, 32), b.visualTokens(ps, m, image(1), false).getShape());
            assertArrayEquals(a.visualTokens(ps, m, image(1), false).toFloatArray(),
                    b.visualTokens(ps, m, image(1), false).toFloatArray());
            // Saving again replaces the directory as a whole.
            a.save(out, tokenizer(), "llama3");
            assertEquals(Optional.of("llama3"), ModelDirectory.template(out));
            try (var s = Files.list(dir)) {
                assertEquals(List.of("llava15", "tokenizer.json"), s.map(p -> p.getFileName().toString()).sorted()
                        .toList());
            }
        }
    }

    @Test
    void badToolkitBlockNamesTheFieldAndTheFile() throws IOException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Path out = dir.resolve("bad");
            model(m, DemPresets.paper(32, 2, 2), false).save(out, tokenizer(), "plain");
            Path cfg = out.resolve("config.json");
            Files.writeString(cfg, Files.readString(cfg).replace("\"LINEAR_CONCAT\"", "\"CONCAT_LINEAR\""));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> InfLlavaModel.fromPretrained(out, null, m));
            assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("infllava.dem")
                    && e.getMessage().contains("CONCAT_LINEAR"), e.getMessage());
        }
    }

    /**
     * On a thread whose autograd switch is on (a notebook cell's), generation gives the same tokens and leaves the
     * switch as it found it: it decodes with autograd off, so no graph grows along the KV cache.
     */
    @Test
    void generationOnAThreadWithAutogradOnMatchesAndRestoresIt() throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InfLlavaModel model = model(m, DemPresets.paper(32, 2, 2), false);
            ParameterStore ps = new ParameterStore(m, false);
            long[] prompt = {1, ChatTemplate.IMAGE_TOKEN, 5, 6};
            GenerationConfig gen = GenerationConfig.greedy(5);
            long[] here = model.generate(ps, m, prompt, List.of(image(3)), gen, null);
            Object[] there = new Object[3];
            Thread t = new Thread(() -> {
                try {
                    ai.djl.pytorch.jni.JniUtils.setGradMode(true);
                    there[0] = model.generate(ps, m, prompt, List.of(image(3)), gen, null);
                    there[1] = GradMode.enabled();
                } catch (Throwable e) {
                    there[2] = e;
                }
            });
            t.start();
            t.join();
            if (there[2] != null) {
                throw new AssertionError("generation on a thread with autograd on", (Throwable) there[2]);
            }
            assertArrayEquals(here, (long[]) there[0]);
            assertEquals(Boolean.TRUE, there[1]);
        }
    }

    /**
     * Four threads generating with one model at once, prompts with images (as a notebook's thread pool or the
     * evaluator would), each call with its own sub-manager and parameter store: every answer equals the same call's
     * answer made alone. The threaded round runs first, on a fresh model, so the lazily built constants (the RoPE
     * table) are built under contention too.
     */
    @Test
    void threadsSharingAModelWithImagesAnswerAsSequentialCallsDo() throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InfLlavaModel model = model(m, DemPresets.paper(32, 2, 2), false);
            long img = ChatTemplate.IMAGE_TOKEN;
            List<long[]> prompts = new ArrayList<>();
            List<List<BufferedImage>> images = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                long[] p = new long[3 + i % 5];
                p[0] = 1;
                p[1] = i % 4 == 3 ? 7 : img;
                for (int j = 2; j < p.length; j++) {
                    p[j] = 4 + (i * 7 + j) % 36;
                }
                prompts.add(p);
                images.add(i % 4 == 3 ? List.of() : List.of(image(100 + i)));
            }
            GenerationConfig gen = GenerationConfig.greedy(6);
            java.util.function.IntFunction<long[]> call = i -> {
                try (NDManager sub = m.newSubManager()) {
                    return model.generate(new ParameterStore(sub, false), sub, prompts.get(i), images.get(i), gen,
                            null);
                }
            };
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<List<long[]>> rounds = new ArrayList<>();
            try {
                for (int round = 0; round < 2; round++) {
                    List<java.util.concurrent.Future<long[]>> f = new ArrayList<>();
                    for (int i = 0; i < prompts.size(); i++) {
                        int k = i;
                        f.add(pool.submit(() -> call.apply(k)));
                    }
                    List<long[]> answers = new ArrayList<>();
                    for (java.util.concurrent.Future<long[]> x : f) {
                        answers.add(x.get());
                    }
                    rounds.add(answers);
                }
            } finally {
                pool.shutdownNow();
            }
            java.util.Set<String> distinct = new java.util.HashSet<>();
            for (int i = 0; i < prompts.size(); i++) {
                long[] alone = call.apply(i);
                distinct.add(java.util.Arrays.toString(alone));
                for (int round = 0; round < rounds.size(); round++) {
                    assertArrayEquals(alone, rounds.get(round).get(i), "prompt " + i + ", threaded round " + round);
                }
            }
            assertTrue(distinct.size() > 1, "the prompts get different answers, so a mix-up would show: " + distinct);
        }
    }

    /**
     * A left-padded batch of prompts of different lengths (two with an image, one without) gives each row the tokens
     * it gets alone: padding, masks and position ids must not leak between rows.
     */
    @Test
    void batchedGenerationMatchesOneRowAtATime() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InfLlavaModel model = model(m, DemPresets.paper(32, 2, 2), false);
            ParameterStore ps = new ParameterStore(m, false);
            long img = ChatTemplate.IMAGE_TOKEN;
            List<long[]> prompts = List.of(new long[] {1, img, 5, 6, 7, 8, 9, 10}, new long[] {1, img, 12},
                    new long[] {1, 20, 21, 22});
            List<List<BufferedImage>> images = List.of(List.of(image(1)), List.of(image(2)), List.of());
            GenerationConfig gen = GenerationConfig.greedy(6, 2);
            List<long[]> batched = model.generateBatch(ps, m, prompts, images, gen);
            assertEquals(3, batched.size());
            for (int i = 0; i < prompts.size(); i++) {
                long[] alone = model.generate(ps, m, prompts.get(i), images.get(i), gen, null);
                assertArrayEquals(alone, batched.get(i), "row " + i);
            }
        }
    }

    /**
     * A full disk at several points of a model directory's bytes (config, tower, weights), and a read-only
     * directory: a one-line error naming the directory, the previously saved model bit for bit, nothing left beside it.
     */
    @Test
    void aFailedSaveLeavesThePreviousModelIntact() throws IOException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Path tok = tokenizer();
            Path out = dir.resolve("models").resolve("tiny");
            ModelDirectory.save(model(m, null, false), out, tok, "plain");
            java.util.Map<String, String> before = org.infllava.io.DiskFaults.snapshot(out);
            long total = before.keySet().stream().mapToLong(k -> out.resolve(k).toFile().length()).sum();
            assertTrue(before.containsKey("model.safetensors") && before.containsKey("vision/model.safetensors"),
                    before.toString());
            InfLlavaModel other = model(m, DemPresets.paper(32, 2, 2), false);
            for (long budget : new long[] {0, 100, total / 2, total - 1}) {
                try (org.infllava.io.DiskFaults f = org.infllava.io.DiskFaults.install(
                        org.infllava.io.DiskFaults.fullAfter(budget))) {
                    InvalidInputException e = assertThrows(InvalidInputException.class,
                            () -> ModelDirectory.save(other, out, tok, "plain"));
                    assertEquals(out, e.file());
                    assertTrue(e.getMessage().startsWith(out + ": cannot write: the disk is full: ")
                            && e.getMessage().endsWith("(the previous version is intact)")
                            && !e.getMessage().contains("\n"), e.getMessage());
                }
                assertEquals(before, org.infllava.io.DiskFaults.snapshot(out), "budget " + budget);
                assertEquals(List.of("tiny"), org.infllava.io.DiskFaults.names(out.getParent()), "budget " + budget);
            }
            try (org.infllava.io.DiskFaults f = org.infllava.io.DiskFaults.install(
                    org.infllava.io.DiskFaults.readOnly())) {
                InvalidInputException e = assertThrows(InvalidInputException.class,
                        () -> ModelDirectory.save(other, out, tok, "plain"));
                assertTrue(e.getMessage().startsWith(out + ": cannot write: permission denied (a read-only "
                        + "directory?): "), e.getMessage());
            }
            assertEquals(before, org.infllava.io.DiskFaults.snapshot(out));
            assertEquals(List.of("tiny"), org.infllava.io.DiskFaults.names(out.getParent()));
            ModelDirectory.save(other, out, tok, "plain");
            assertFalse(before.equals(org.infllava.io.DiskFaults.snapshot(out)), "with no fault the save goes through");
        }
    }
}
