package org.infllava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.infllava.data.LlavaDataset;
import org.infllava.data.SampleEncoder;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.ImageFiles;
import org.infllava.model.GradMode;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device-agnostic code has no host round trips in a forward pass, and only the documented ones in a training step
 * and in decoding: counted by instrumenting DJL's JNI entry points ({@link HostTransfers}). On a CPU a read costs
 * little; on a GPU every read is a synchronisation that stalls the queue, so these counts are the GPU contract.
 */
class HostTransfersTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static NDManager manager;

    @TempDir
    static Path dir;

    private static Path modelDir;
    private static Path dataFile;

    @BeforeAll
    static void setUp() throws IOException {
        HostTransfers.install();
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        modelDir = dir.resolve("model");
        TinyModels.writePublishedDir(GOLDEN, modelDir, manager, 3);
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.copy(GOLDEN.resolve("clip_image.png"), images.resolve("a.png"));
        dataFile = dir.resolve("train.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            rows.append("{\"id\": \"s").append(i).append("\", \"image\": \"a.png\", \"conversations\": [{\"from\": "
                    + "\"human\", \"value\": \"<image>\"}, {\"from\": \"gpt\", \"value\": \"w1").append(i)
                    .append(" w2").append(i).append("\"}]}\n");
        }
        Files.writeString(dataFile, rows);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** The counter counts: each of these is one read or one write (so a zero below is not a blind counter). */
    @Test
    void theCounterSeesReadsAndWrites() {
        try (NDManager m = manager.newSubManager()) {
            long r = HostTransfers.reads();
            long w = HostTransfers.writes();
            NDArray a = m.create(new float[] {1, 2, 3}); // write 1
            a.set(java.nio.FloatBuffer.wrap(new float[] {4, 5, 6})); // write 2
            NDArray b = a.square().sum(); // on the device: nothing
            assertEquals(0, HostTransfers.reads() - r);
            assertEquals(2, HostTransfers.writes() - w);
            a.toFloatArray(); // read 1
            assertEquals(77f, b.getFloat(), 0f); // read 2: 16 + 25 + 36
            assertEquals(2, HostTransfers.reads() - r);
            a.mul(2); // a Java number becomes a tensor: write 3 (why NamedBlock.scalar exists)
            assertEquals(3, HostTransfers.writes() - w);
        }
    }

    /**
     * A forward pass (image and text embedded, the LLM's logits): no read. The uploads are the inputs (pixels, token
     * ids, the attention mask).
     */
    @Test
    void aForwardPassReadsNothingBack() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            BufferedImage image = ImageFiles.read(dir.resolve("images/a.png"));
            ParameterStore ps = new ParameterStore(m, false);
            long[] ids = {1, ChatTemplate.IMAGE_TOKEN, 5, 6, 7};
            try (GradMode off = GradMode.disabled(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                model.embed(ps, m, ids, List.of(image), false); // warm-up: per-device constants are made once
                long r = HostTransfers.reads();
                NDArray x = model.embed(ps, m, ids, List.of(image), false); // (1, T, d)
                NDArray logits = model.llm().forward(ps, x, m.ones(new Shape(1, x.getShape().get(1))), null, null,
                        false);
                assertEquals(0, HostTransfers.reads() - r, "device-to-host reads in a forward pass");
                assertEquals(3, logits.getShape().dimension());
            }
        }
    }

    private Trainer trainer(NDManager m) {
        InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
        LlavaDataset data = LlavaDataset.load(dataFile, dir.resolve("images"), true);
        SampleEncoder enc = new SampleEncoder(ChatTemplate.PLAIN, TextTokenizer.load(modelDir), 49, 128);
        TrainSettings s = new TrainSettings(5, 3, 2, 2, 1e-3, 0.0, 0.0, 0.0, 1.0, FreezePolicy.stage2(), false, 0, 1,
                100);
        return new Trainer(model, s, data, enc, m, dir.resolve("run-" + System.nanoTime()),
                new com.google.gson.JsonObject(), new PrintWriter(new StringWriter()));
    }

    /**
     * One training step (2 micro-batches): the documented reads are one loss value per micro-batch (for the log and
     * the divergence check) and two in global-norm clipping (the largest element, the sum of squares), whatever the
     * number of parameters: 4. With two data-parallel replicas the same 4 (the replicas' losses are summed on the
     * device, one read per micro-batch).
     */
    @Test
    void aTrainingStepReadsOnlyTheDocumentedValues() {
        for (int replicas = 1; replicas <= 2; replicas++) {
            try (NDManager m = manager.newSubManager()) {
                Trainer t = trainer(m);
                if (replicas == 2) {
                    t.enableDataParallel(List.of(Device.cpu(), Device.cpu()));
                }
                List<Long> at = new ArrayList<>();
                t.setStepListener(log -> at.add(HostTransfers.reads()));
                t.run(2); // the reads between the ends of step 1 and step 2 are step 2's (the checkpoint comes after)
                assertEquals(4, at.get(1) - at.get(0), "device-to-host reads in one step with " + replicas
                        + " replica(s)");
                if (t.parallel() != null) {
                    t.parallel().close();
                }
            }
        }
    }

    /**
     * Greedy decoding of N tokens: the key mask once (position ids of a padded batch), and per token the last logits
     * (the choice is made on the host) and the largest position id (LlamaDecoder.rope checks that its RoPE table
     * covers explicit positions: a read the caller could spare, since it knows the positions): 1 + 2N.
     */
    @Test
    void decodingReadsOncePerToken() {
        try (NDManager m = manager.newSubManager()) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(modelDir, GOLDEN.resolve("clip_vision"), m);
            GenerationConfig greedy = GenerationConfig.greedy(5);
            long r = HostTransfers.reads();
            long[] out = new org.infllava.infer.Generator(model.llm()).generate(new ParameterStore(m, false), m,
                    new long[] {1, 5, 6}, greedy, null);
            assertEquals(1 + 2 * out.length, HostTransfers.reads() - r, "reads for " + out.length + " tokens");
        }
    }
}
