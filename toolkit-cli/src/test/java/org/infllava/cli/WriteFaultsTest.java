package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.io.AtomicFiles;
import org.infllava.io.DiskFaults;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infllava crop --out} on a disk that fills up and in a read-only directory (faults injected through
 * {@link AtomicFiles}): exit code 2, one line on stderr naming the output and the cause, the previous crop bit for
 * bit, nothing temporary left.
 */
class WriteFaultsTest {

    private static final Path SRC = Path.of("../toolkit-crop/src/test/resources/golden/contract_src.png");

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        AtomicFiles.setOpener(AtomicFiles.FILES);
    }

    private static CliRun crop(Path out, String sub) {
        return CliRun.of("crop", SRC.toString(), "--out", out.toString(), "--sub-size", sub, "--grid", "2x2",
                "--resize", "pad", "--force");
    }

    private static void assertOneLineError(CliRun run, Path out, String cause) {
        assertEquals(2, run.code(), run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains(out + ": cannot write: " + cause), err);
    }

    @Test
    void cropOutputsSurviveAFullDiskAndAReadOnlyDirectory() {
        Path out = dir.resolve("crops");
        CliRun first = crop(out, "16");
        assertEquals(0, first.code(), first.err());
        Map<String, String> before = DiskFaults.snapshot(out);
        assertTrue(before.containsKey("manifest.json") && before.containsKey("local-1-1.png"), before.toString());

        for (long budget : new long[] {0, 200, 2000}) {
            try (DiskFaults f = DiskFaults.install(DiskFaults.fullAfter(budget))) {
                assertOneLineError(crop(out, "24"), out, "the disk is full: ");
            }
            assertEquals(before, DiskFaults.snapshot(out), "budget " + budget);
            assertEquals(List.of("crops"), DiskFaults.names(dir), "budget " + budget);
        }
        try (DiskFaults f = DiskFaults.install(DiskFaults.readOnly())) {
            assertOneLineError(crop(out, "24"), out, "permission denied (a read-only directory?): ");
        }
        assertEquals(before, DiskFaults.snapshot(out));
        assertEquals(List.of("crops"), DiskFaults.names(dir));

        CliRun again = crop(out, "24");
        assertEquals(0, again.code(), again.err());
        assertFalse(before.equals(DiskFaults.snapshot(out)), "without a fault the crop is replaced");
    }
}
