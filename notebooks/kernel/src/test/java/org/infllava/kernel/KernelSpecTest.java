package org.infllava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSpecTest {

    @Test
    void installWritesKernelJson(@TempDir Path dir) throws Exception {
        KernelSpec spec = KernelSpec.builder().setArgv(List.of("/usr/bin/java", "-jar", "/x/infllava.jar", "kernel",
                "run", "{connection_file}")).addEnv("A", "1").build();
        Path written = spec.install(KernelSpec.prefixKernelsDir(dir));
        assertEquals(dir.resolve("share/jupyter/kernels/java"), written);
        JsonObject json = JsonParser.parseString(Files.readString(written.resolve("kernel.json"))).getAsJsonObject();
        assertEquals("Java (INF-LLaVA toolkit)", json.get("display_name").getAsString());
        assertEquals("java", json.get("language").getAsString());
        assertEquals("message", json.get("interrupt_mode").getAsString());
        assertEquals("{connection_file}", json.getAsJsonArray("argv").get(5).getAsString());
        assertEquals("1", json.getAsJsonObject("env").get("A").getAsString());
    }

    @Test
    void argvWithoutTheConnectionFileIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelSpec.builder().setArgv(List.of("java", "-jar", "x.jar")).build());
        assertTrue(e.getMessage().contains("{connection_file}"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.builder().optName("a b")
                .setArgv(List.of("{connection_file}")).build());
    }
}
