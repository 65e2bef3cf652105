package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.ImageFiles;
import org.infllava.io.NpyArrays;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.TinyModels;
import org.infllava.testing.Close;
import org.infllava.train.lora.Lora;
import org.infllava.train.lora.LoraConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logits --adapter [--merge]}, {@code chat --adapter} and {@code train} with a {@code lora} block, against the
 * goldens of toolkit-train/src/test/resources/lora/make_lora.py (plain PyTorch LLaMA + PEFT's LoRA math).
 */
class LoraCommandsTest {

    private static final Path LORA = Path.of("../toolkit-train/src/test/resources/lora");
    private static final Path GOLDEN = Path.of("../toolkit-train/src/test/resources/golden");
    private static final String IDS = "1,17,5,42,9,33,60,2"; // make_lora.py's IDS

    @TempDir
    Path dir;

    @Test
    void logitsWithAnAdapterMatchTheIndependentOnesMergedOrNot() {
        Path out = dir.resolve("L.npy");
        CliRun plain = CliRun.of("logits", "--llm", LORA.resolve("llama").toString(), "--ids", IDS, "--out",
                out.toString());
        assertEquals(0, plain.code(), plain.err());
        Close.assertClose(NpyArrays.read(LORA.resolve("logits_base.npy")), NpyArrays.read(out), 1e-4, 1e-5, "base");
        for (boolean merge : new boolean[] {false, true}) {
            CliRun run = merge
                    ? CliRun.of("logits", "--llm", LORA.resolve("llama").toString(), "--ids", IDS, "--adapter",
                            LORA.resolve("adapter").toString(), "--merge", "--out", out.toString())
                    : CliRun.of("logits", "--llm", LORA.resolve("llama").toString(), "--ids", IDS, "--adapter",
                            LORA.resolve("adapter").toString(), "--out", out.toString());
            assertEquals(0, run.code(), run.err());
            Close.assertClose(NpyArrays.read(LORA.resolve("logits_adapter.npy")), NpyArrays.read(out), 1e-4, 1e-5,
                    merge ? "merged" : "unmerged");
        }
    }

    /** An adapter for the d = 32 LLaMA on the d = 64 one; and a non-LoRA peft_type: exit 2, file/key/shapes named. */
    @Test
    void aBadAdapterExitsTwoNamingTheProblem() throws IOException {
        Path out = dir.resolve("L.npy");
        CliRun other = CliRun.of("logits", "--llm", GOLDEN.resolve("llama").toString(), "--ids", "1,2,3", "--adapter",
                LORA.resolve("adapter").toString(), "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, other.code());
        assertTrue(other.err().contains("adapter_model.safetensors") && other.err().contains(".lora_A.weight")
                && other.err().contains("expected shape") && other.err().contains("found"), other.err());
        assertTrue(Files.notExists(out), "nothing written");
        Path bad = Files.createDirectories(dir.resolve("prefix-tuning"));
        Files.writeString(bad.resolve("adapter_config.json"), Files.readString(LORA.resolve(
                "adapter/adapter_config.json")).replace("\"LORA\"", "\"PREFIX_TUNING\""));
        Files.copy(LORA.resolve("adapter/adapter_model.safetensors"), bad.resolve("adapter_model.safetensors"));
        CliRun type = CliRun.of("logits", "--llm", LORA.resolve("llama").toString(), "--ids", IDS, "--adapter",
                bad.toString(), "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, type.code());
        assertTrue(type.err().contains("adapter_config.json") && type.err().contains("peft_type")
                && type.err().contains("PREFIX_TUNING"), type.err());
    }

    /** {@code chat --adapter} answers as the library does with the same adapter merged. */
    @Test
    void chatWithAnAdapterAnswersAsTheMergedModel() throws IOException {
        Path model = dir.resolve("inf-llava");
        Path adapter = dir.resolve("adapter");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            TinyModels.writePublishedDir(GOLDEN, model, m, 5);
            InfLlavaModel mdl = InfLlavaModel.fromPretrained(model, GOLDEN.resolve("clip_vision"), m);
            Lora lora = Lora.attach(LoraConfig.builder().setRank(4).optAlpha(8).build(), mdl, m, 3);
            ai.djl.engine.Engine.getInstance().setRandomSeed(9);
            for (Parameter p : lora.parameters().values()) { // a "trained" adapter: B non-zero
                p.getArray().set(m.randomNormal(0, 0.3f, p.getShape(), ai.djl.ndarray.types.DataType.FLOAT32)
                        .toFloatArray());
            }
            lora.save(adapter, model.toString());
        }
        CliRun run = CliRun.of("chat", "--model", model.toString(), "--vision", GOLDEN.resolve("clip_vision").toString(),
                "--image", GOLDEN.resolve("clip_image.png").toString(), "--prompt", "w5 w6", "--template", "plain",
                "--max-new-tokens", "6", "--adapter", adapter.toString());
        assertEquals(0, run.code(), run.err());
        String expected;
        String base;
        try (NDManager m = NDManager.newBaseManager("PyTorch"); TextTokenizer tok = TextTokenizer.load(model)) {
            InfLlavaModel mdl = InfLlavaModel.fromPretrained(model, GOLDEN.resolve("clip_vision"), m);
            long[] ids = ChatTemplate.PLAIN.render(List.of(new ChatTemplate.Turn(ChatTemplate.Role.USER,
                    "<image>\nw5 w6")), tok, true).ids();
            var img = List.of(ImageFiles.read(GOLDEN.resolve("clip_image.png")));
            base = tok.decode(java.util.Arrays.stream(mdl.generate(new ParameterStore(m, false), m, ids, img,
                    GenerationConfig.greedy(6, 2), null)).filter(t -> t != 2).toArray(), true);
            Lora.load(adapter, mdl, m).merge();
            expected = tok.decode(java.util.Arrays.stream(mdl.generate(new ParameterStore(m, false), m, ids, img,
                    GenerationConfig.greedy(6, 2), null)).filter(t -> t != 2).toArray(), true);
        }
        assertEquals(expected, run.out().strip());
        assertTrue(!expected.equals(base), "the adapter changes the answer: " + base + " / " + expected);
    }

    private Path config(String lora) throws IOException {
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
                 "train": {"steps": 2, "batch_size": 2},
                 "lora": %s}
                """.formatted(lora));
        return f;
    }

    /** The LLaVA preset with a smaller rank: 7 layers × (A, B) adapters train, their checkpoint is a PEFT adapter. */
    @Test
    void trainsWithALoraBlock() throws IOException {
        Path runs = dir.resolve("runs");
        CliRun run = CliRun.of("train", "--config", config("{\"preset\": \"llava-1.5\", \"r\": 4, \"alpha\": 8}")
                .toString(), "--runs", runs.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("LoRA: r 4, alpha 8.0 on 14 matrices of [llm]"), run.out());
        Path ckpt;
        try (Stream<Path> s = Files.list(runs)) {
            ckpt = s.findFirst().orElseThrow().resolve("checkpoints/step-000002");
        }
        String cfg = Files.readString(ckpt.resolve("adapter_config.json"));
        assertTrue(cfg.contains("\"peft_type\": \"LORA\"") && cfg.contains("\"r\": 4") && cfg.contains(
                "\"lora_alpha\": 8") && cfg.contains("\"lora_dropout\": 0.05"), cfg);
        assertEquals(14, org.infllava.io.SafeTensors.read(ckpt.resolve("adapter_model.safetensors")).size());
        CliRun bad = CliRun.of("train", "--config", config("{\"rank\": 4}").toString(), "--runs", runs.toString());
        assertEquals(Main.EXIT_BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("unknown field 'lora.rank'"), bad.err());
    }
}
