package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelCommandTest {

    @TempDir
    Path dir;

    @Test
    void installWithPrefixWritesTheKernelSpec() throws Exception {
        CliRun run = CliRun.of("kernel", "install", "--prefix", dir.toString(), "--env", "INFLLAVA_X=1");
        assertEquals(0, run.code(), run.err());
        Path json = dir.resolve("share/jupyter/kernels/java/kernel.json");
        assertTrue(run.out().contains(json.getParent().toString()), run.out());
        JsonObject spec = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("Java (INF-LLaVA toolkit)", spec.get("display_name").getAsString());
        assertEquals("java", spec.get("language").getAsString());
        assertEquals("message", spec.get("interrupt_mode").getAsString());
        assertEquals("1", spec.getAsJsonObject("env").get("INFLLAVA_X").getAsString());
        JsonArray argv = spec.getAsJsonArray("argv");
        String java = argv.get(0).getAsString();
        assertTrue(Path.of(java).isAbsolute() && Files.isExecutable(Path.of(java)), java);
        assertEquals("-Djava.awt.headless=true", argv.get(1).getAsString());
        assertEquals("-Dai.djl.offline=true", argv.get(2).getAsString());
        int n = argv.size();
        assertEquals("kernel", argv.get(n - 3).getAsString());
        assertEquals("run", argv.get(n - 2).getAsString());
        assertEquals("{connection_file}", argv.get(n - 1).getAsString());
    }

    @Test
    void installRejectsBadNamesAndBothTargets() {
        CliRun bad = CliRun.of("kernel", "install", "--prefix", dir.toString(), "--name", "has space");
        assertEquals(Main.EXIT_BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("--name"), bad.err());
        assertFalse(Files.exists(dir.resolve("share")), "nothing written on bad input");
        CliRun both = CliRun.of("kernel", "install", "--user", "--prefix", dir.toString());
        assertEquals(Main.EXIT_BAD_INPUT, both.code());
    }

    @Test
    void runRejectsAMissingConnectionFile() {
        CliRun run = CliRun.of("kernel", "run", dir.resolve("nope.json").toString());
        assertEquals(Main.EXIT_BAD_INPUT, run.code());
        assertTrue(run.err().contains("nope.json"), run.err());
    }
}
