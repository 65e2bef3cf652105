package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.infllava.testing.Close;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code logits} on the LLaMA-2, Qwen2 and Mistral checkpoints and {@code features} on the SigLIP ones, against the
 * independent PyTorch script (toolkit-train/src/test/resources/backbones/make_backbones.py), rtol 1e-4, atol 1e-5;
 * what the toolkit does not implement exits 2 naming config.json, the field and the value.
 */
class BackboneCommandsTest {

    private static final Path DIR = Path.of("../toolkit-train/src/test/resources/backbones");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama2", "qwen2", "mistral"})
    void logitsOnEachFamilyEqualPyTorch(String family) {
        float[] ids = NpyArrays.read(DIR.resolve(family + "_ids.npy")).data();
        String list = IntStream.range(0, ids.length).mapToObj(i -> String.valueOf((int) ids[i]))
                .collect(Collectors.joining(","));
        Path out = tmp.resolve(family + ".npy");
        CliRun run = CliRun.of("logits", "--llm", DIR.resolve(family).toString(), "--ids", list, "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        HostTensor logits = NpyArrays.read(out);
        assertEquals(10 * 48, logits.data().length);
        Close.assertClose(NpyArrays.read(DIR.resolve(family + "_logits.npy")), logits, 1e-4, 1e-5, family);
    }

    /** A 16×16 PNG at the tower's image_size: SigLIP's resize is the identity; 0.5 / 0.5 normalisation; all 16 patches. */
    @ParameterizedTest
    @ValueSource(strings = {"siglip", "siglip_full"})
    void featuresOnSiglipEqualPyTorch(String dir) {
        Path out = tmp.resolve(dir + ".npy");
        CliRun run = CliRun.of("features", "--vision", DIR.resolve(dir).toString(), "--image",
                DIR.resolve("siglip_image.png").toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        HostTensor f = NpyArrays.read(out);
        assertEquals(16 * 32, f.data().length);
        Close.assertClose(NpyArrays.read(DIR.resolve("siglip_image_features_layer-2.npy")), f, 1e-4, 1e-5, dir);
        CliRun cls = CliRun.of("features", "--vision", DIR.resolve(dir).toString(), "--image",
                DIR.resolve("siglip_image.png").toString(), "--feature", "cls_patch", "--out", out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, cls.code());
        assertTrue(cls.err().contains("has no class token"), cls.err());
    }

    @Test
    void unsupportedModelTypeAndActivationExitTwo() throws IOException {
        String[][] cases = { // {command, fixture, field, JSON value, expected text}
            {"logits", "qwen2", "model_type", "\"qwen3\"", "config.json: field 'model_type' 'qwen3'"},
            {"logits", "mistral", "hidden_act", "\"gelu\"", "config.json: field 'hidden_act' 'gelu'"},
            {"features", "siglip", "model_type", "\"dinov2\"", "config.json: field 'model_type' 'dinov2'"},
            {"features", "siglip", "hidden_act", "\"relu\"", "config.json: field 'hidden_act' 'relu'"},
        };
        for (String[] c : cases) {
            Path d = tmp.resolve(c[1] + "-" + c[2]);
            Files.createDirectories(d);
            try (var s = Files.list(DIR.resolve(c[1]))) {
                for (Path p : s.toList()) {
                    Files.copy(p, d.resolve(p.getFileName()));
                }
            }
            JsonObject cfg = JsonParser.parseString(Files.readString(d.resolve("config.json"))).getAsJsonObject();
            cfg.add(c[2], JsonParser.parseString(c[3]));
            Files.writeString(d.resolve("config.json"), cfg.toString());
            Path out = tmp.resolve("out-" + c[1] + "-" + c[2] + ".npy");
            CliRun run = c[0].equals("logits")
                    ? CliRun.of("logits", "--llm", d.toString(), "--ids", "1,2,3", "--out", out.toString())
                    : CliRun.of("features", "--vision", d.toString(), "--image", DIR.resolve("siglip_image.png")
                            .toString(), "--out", out.toString());
            assertEquals(Main.EXIT_BAD_INPUT, run.code(), c[0] + " " + c[2] + ": " + run.err());
            assertTrue(run.err().contains(c[4]), run.err());
            assertFalse(Files.exists(out), "nothing written on refusal");
        }
    }
}
