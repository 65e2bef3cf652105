package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.infllava.io.InvalidInputException;
import org.infllava.model.Devices;
import org.infllava.model.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --device} on the commands that compute, and {@code device-check} in its skip and CPU-smoke modes. */
class DeviceCommandsTest {

    private static final Path GOLDEN = Path.of("../toolkit-train/src/test/resources/golden");

    @TempDir
    Path dir;

    @Test
    void deviceNamesParseAndMissingGpusAreRefused() {
        assertEquals(List.of(Device.cpu()), Devices.parse("cpu", () -> 0));
        assertEquals(List.of(Device.cpu()), Devices.parse("auto", () -> 0));
        assertEquals(List.of(Device.gpu(0)), Devices.parse("auto", () -> 2));
        assertEquals(List.of(Device.gpu(0), Device.gpu(1)), Devices.parse("gpu, gpu:1", () -> 2));
        assertEquals(List.of(Device.cpu(), Device.cpu()), Devices.parse("cpu,cpu", () -> 0));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Devices.parse("gpu", () -> 0));
        assertTrue(e.getMessage().contains("no GPU is visible"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Devices.parse("gpu:2", () -> 2));
        assertTrue(e.getMessage().contains("gpu:2 asked for but only 2 GPU(s)"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Devices.parse("gpu:x", () -> 2));
        assertTrue(e.getMessage().contains("'gpu:x' is not gpu:N"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Devices.parse("tpu", () -> 2));
        assertTrue(e.getMessage().contains("unknown device 'tpu'"), e.getMessage());
        assertFalse(Devices.isWellFormed("cuda"));
        assertTrue(Devices.isWellFormed("gpu:3,gpu:4"));
    }

    /** The same logits on --device cpu as by default, and gpu:99 is a one-line error with exit 2 and no output. */
    @Test
    void logitsTakeADevice() throws Exception {
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        String[] common = {"logits", "--llm", GOLDEN.resolve("llama").toString(), "--ids", "1,10,57,17"};
        CliRun cpu = CliRun.of(concat(common, "--device", "cpu", "--out", a.toString()));
        assertEquals(0, cpu.code(), cpu.err());
        CliRun auto = CliRun.of(concat(common, "--out", b.toString()));
        assertEquals(0, auto.code(), auto.err());
        if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            assertEquals(-1, Files.mismatch(a, b), "auto is the CPU here");
        }
        Path c = dir.resolve("c.npy");
        CliRun gpu = CliRun.of(concat(common, "--device", "gpu:99", "--out", c.toString()));
        assertEquals(Main.EXIT_BAD_INPUT, gpu.code());
        assertTrue(gpu.err().strip().lines().count() == 1 && gpu.err().contains("--device gpu:99"), gpu.err());
        assertFalse(Files.exists(c));
    }

    /** train --device gpu:99 fails before a run directory exists. */
    @Test
    void trainRefusesAMissingGpuBeforeCreatingTheRun() throws Exception {
        Path config = Path.of("../examples/tiny-cpu.json");
        Path runs = dir.resolve("runs");
        CliRun run = CliRun.of("train", "--config", config.toString(), "--device", "gpu:99", "--runs", runs.toString());
        assertEquals(Main.EXIT_BAD_INPUT, run.code(), run.out() + run.err());
        assertTrue(run.err().contains("gpu:99"), run.err());
        assertFalse(Files.exists(runs) && Files.list(runs).findAny().isPresent(), "no run directory");
    }

    @Test
    void deviceCheckSkipsWithoutAGpu() throws Exception {
        Path json = dir.resolve("check.json");
        CliRun run = CliRun.of("device-check", "--device", "cpu", "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("SKIP: no GPU visible"), run.out());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("skipped", o.get("status").getAsString());
        assertFalse(o.has("timings"));
    }

    /**
     * Every part on tiny sizes on the CPU: the CPU-vs-CPU check is exact, and the FLOP counts are the hand values.
     * CLIP smoke (d 64, ffn 128, 2 layers, 56 px, patch 14: P = 16, N = 17): per layer 2·17·(4·64² + 2·64·128)
     * = 1,114,112 plus 4·17²·64 = 73,984; two layers 2,376,192; patch embedding 2·16·3·14²·64 = 1,204,224; per view
     * 3,580,416; two views 7,160,832. LLaMA smoke (vocab 256, d 64, ffn 128, 2 layers, 4/2 heads, hd 16), prefill 16:
     * per layer 64·8·16 + 4·16·64 + 3·64·128 + 2·4·16·16 = 8,192 + 4,096 + 24,576 + 2,048 = 38,912; 2 layers plus the
     * head 64·256: 94,208; × 2 × 16 tokens = 3,014,656.
     */
    @Test
    void deviceCheckCpuSmokeRunsEveryPart() throws Exception {
        Path json = dir.resolve("smoke.json");
        CliRun run = CliRun.of("device-check", "--cpu-smoke", "--iterations", "1", "--peak-tflops", "1",
                "--json", json.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("ok", o.get("status").getAsString());
        JsonObject checks = o.getAsJsonObject("checks");
        assertEquals(0.0, checks.get("logits_max_abs_diff").getAsDouble(), 1e-6);
        assertEquals(0.0, checks.get("train_weights_max_abs_diff").getAsDouble(), 1e-6);
        assertTrue(checks.get("train_loss_cpu").getAsDouble() > 3.0, "cross-entropy over 64 classes ~ ln 64 = 4.16");
        JsonArray t = o.getAsJsonArray("timings");
        assertEquals(4, t.size());
        assertEquals("clip_vision_fp16", t.get(0).getAsJsonObject().get("name").getAsString());
        assertEquals(7_160_832L, t.get(0).getAsJsonObject().get("flops").getAsLong());
        assertEquals("dem_paper_fp32", t.get(1).getAsJsonObject().get("name").getAsString());
        assertEquals(3_014_656L, t.get(2).getAsJsonObject().get("flops").getAsLong());
        assertEquals(3_014_656L, DeviceCheckCommand.LlamaFlops.forward(new LlamaConfig(256, 64, 128, 2, 4, 2, 1e-5f,
                500000, null, 256, false), 1, 16, 16));
        for (int i = 0; i < 4; i++) {
            assertTrue(t.get(i).getAsJsonObject().get("seconds_median").getAsDouble() > 0, t.get(i).toString());
        }
        assertTrue(t.get(3).getAsJsonObject().has("ms_per_token"));
        assertTrue(t.get(0).getAsJsonObject().has("peak_fraction"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
