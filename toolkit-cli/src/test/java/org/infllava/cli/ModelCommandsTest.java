package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.HostTensor;
import org.infllava.io.ImageFiles;
import org.infllava.io.NpyArrays;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.TinyModels;
import org.infllava.testing.Close;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code features}, {@code logits} and {@code chat} contracts on the tiny checkpoints, against the independent
 * PyTorch implementation (toolkit-train/src/test/python/make_model_goldens.py): rtol 1e-4, atol 1e-5.
 */
class ModelCommandsTest {

    private static final Path GOLDEN = Path.of("../toolkit-train/src/test/resources/golden");

    @TempDir
    Path dir;

    private static void assertClose(HostTensor expected, HostTensor actual) {
        Close.assertClose(expected, actual, 1e-4, 1e-5, "output");
    }

    /** A 40×30 PNG: shortest side to 28 (37×28, Pillow bicubic), centre crop at x = 4, normalise, CLIP. */
    @Test
    void featuresMatchHuggingFaceSemantics() {
        Path out = dir.resolve("F.npy");
        CliRun run = CliRun.of("features", "--vision", GOLDEN.resolve("clip_vision").toString(), "--image",
                GOLDEN.resolve("clip_image.png").toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertClose(NpyArrays.read(GOLDEN.resolve("clip_image_features_layer-2_patch.npy")), NpyArrays.read(out));
        CliRun cls = CliRun.of("features", "--vision", GOLDEN.resolve("clip_full").toString(), "--image",
                GOLDEN.resolve("clip_image.png").toString(), "--layer", "-1", "--feature", "cls_patch", "--out",
                out.toString());
        assertEquals(0, cls.code(), cls.err());
        assertClose(NpyArrays.read(GOLDEN.resolve("clip_image_features_layer-1_cls_patch.npy")), NpyArrays.read(out));
    }

    @Test
    void logitsFromIdsAndFromText() throws Exception {
        Path out = dir.resolve("L.npy");
        CliRun ids = CliRun.of("logits", "--llm", GOLDEN.resolve("llama").toString(), "--ids",
                "1,10,57,17,5,25,82,28,23,38,95,41", "--out", out.toString());
        assertEquals(0, ids.code(), ids.err());
        assertClose(NpyArrays.read(GOLDEN.resolve("llama_logits.npy")), NpyArrays.read(out));
        CliRun text = CliRun.of("logits", "--llm", GOLDEN.resolve("llama").toString(), "--text",
                Files.readString(GOLDEN.resolve("llama_text.txt")).strip(), "--out", out.toString());
        assertEquals(0, text.code(), text.err());
        assertClose(NpyArrays.read(GOLDEN.resolve("llama_text_logits.npy")), NpyArrays.read(out));
        CliRun bad = CliRun.of("logits", "--llm", GOLDEN.resolve("llama").toString(), "--ids", "1,500", "--out",
                out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("token 500 is outside the vocabulary 0..95"), bad.err());
    }

    /** The streamed answer is the greedy answer of the library for the same rendered prompt. */
    @Test
    void chatStreamsTheGreedyAnswer() throws Exception {
        Path model = dir.resolve("inf-llava");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            TinyModels.writePublishedDir(GOLDEN, model, m, 5);
        }
        CliRun run = CliRun.of("chat", "--model", model.toString(), "--vision", GOLDEN.resolve("clip_vision").toString(),
                "--image", GOLDEN.resolve("clip_image.png").toString(), "--prompt", "w5 w6", "--template", "plain",
                "--max-new-tokens", "6");
        assertEquals(0, run.code(), run.err());
        String expected;
        try (NDManager m = NDManager.newBaseManager("PyTorch"); TextTokenizer tok = TextTokenizer.load(model)) {
            InfLlavaModel mdl = InfLlavaModel.fromPretrained(model, GOLDEN.resolve("clip_vision"), m);
            long[] ids = ChatTemplate.PLAIN.render(List.of(new ChatTemplate.Turn(ChatTemplate.Role.USER,
                    "<image>\nw5 w6")), tok, true).ids();
            long[] answer = mdl.generate(new ParameterStore(m, false), m, ids,
                    List.of(ImageFiles.read(GOLDEN.resolve("clip_image.png"))), GenerationConfig.greedy(6, 2), null);
            long[] words = java.util.Arrays.stream(answer).filter(t -> t != 2).toArray();
            expected = tok.decode(words, true);
        }
        assertTrue(!expected.isBlank(), "the tiny model says something");
        assertEquals(expected, run.out().strip());
    }
}
