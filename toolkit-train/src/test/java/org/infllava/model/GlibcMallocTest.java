package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The malloc settings a child process gets: added when absent, a value already set wins, and the opt-out. */
class GlibcMallocTest {

    @Test
    void addsTheSettingsUnlessPresentOrOptedOut() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/bin"));
        GlibcMalloc.applyTo(env);
        assertEquals(Map.of("PATH", "/bin", "MALLOC_MMAP_MAX_", "0", "MALLOC_TRIM_THRESHOLD_", "17179869184"), env);

        Map<String, String> own = new HashMap<>(Map.of("MALLOC_MMAP_MAX_", "65536"));
        GlibcMalloc.applyTo(own);
        assertEquals("65536", own.get("MALLOC_MMAP_MAX_"));
        assertEquals("17179869184", own.get("MALLOC_TRIM_THRESHOLD_"));

        Map<String, String> out = new HashMap<>(Map.of("INFLLAVA_SYSTEM_MALLOC", "1"));
        GlibcMalloc.applyTo(out);
        assertEquals(Map.of("INFLLAVA_SYSTEM_MALLOC", "1"), out);

        Map<String, String> zero = new HashMap<>(Map.of("INFLLAVA_SYSTEM_MALLOC", "0"));
        GlibcMalloc.applyTo(zero);
        assertEquals("0", zero.get("MALLOC_MMAP_MAX_"));
    }
}
