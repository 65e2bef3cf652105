package org.infllava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathGlobsTest {

    @TempDir
    Path dir;

    private Path touch(String rel) throws Exception {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        return p;
    }

    @Test
    void globsExpandRelativeToTheWorkingDirectory() throws Exception {
        Path a = touch("lib/a.jar");
        Path b = touch("lib/b.jar");
        touch("lib/notes.txt");
        Path d = touch("lib/sub/d.jar");
        assertEquals(List.of(a, b), PathGlobs.expand("lib/*.jar", dir, true));
        assertEquals(List.of(a, b, d), PathGlobs.expand("lib/**.jar", dir, true));
        assertEquals(List.of(a, b), PathGlobs.expand("?.jar", dir.resolve("lib"), true));
        assertEquals(List.of(a), PathGlobs.expand(a.toString(), Path.of("/"), true));
    }

    @Test
    void directoriesOnlyForClasspath() throws Exception {
        touch("classes/x/Y.class");
        assertEquals(List.of(dir.resolve("classes")), PathGlobs.expand("classes", dir, false));
        assertThrows(IllegalArgumentException.class, () -> PathGlobs.expand("classes", dir, true));
    }

    @Test
    void noMatchNamesThePatternAndTheDirectory() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PathGlobs.expand("missing/*.jar", dir, true));
        assertTrue(e.getMessage().contains("missing/*.jar") && e.getMessage().contains(dir.toString()),
                e.getMessage());
    }
}
