package org.infllava.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzz target of the kernel's cell parsing (line magics and their quoted arguments): any cell text gives parts in
 * line order, or an {@link IllegalArgumentException} whose one-line message starts with the cell line at fault, which
 * the kernel turns into a MAGIC error. Nothing else is thrown, and the parse stays linear in the cell's size.
 * Regression inputs live in {@code src/test/resources/org/infllava/kernel/CellMagicFuzzTestInputs/cellMagics}.
 */
class CellMagicFuzzTest {

    @FuzzTest
    void cellMagics(byte[] input) {
        String cell = new String(input, StandardCharsets.UTF_8);
        long lines = cell.replace("\r\n", "\n").split("\n", -1).length;
        long t0 = System.nanoTime();
        try {
            List<CellSource.Part> parts = CellSource.parse(cell);
            int last = 0;
            for (CellSource.Part p : parts) {
                assertTrue(p.line() > last && p.line() <= lines, "parts in line order within the cell: " + parts);
                last = p.line();
                if (p instanceof CellSource.Magic m) {
                    assertTrue(m.name().matches("[A-Za-z_][\\w-]*"), "a magic has a name: " + m);
                } else if (p instanceof CellSource.Code c) {
                    assertTrue(!c.text().isBlank(), "blank code is dropped");
                }
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.matches("line [1-9][0-9]*: .+") && m.indexOf('\n') < 0 && m.length() < 400,
                    "a one-line error naming the cell line: " + m);
            long line = Long.parseLong(m.substring(5, m.indexOf(':')));
            assertTrue(line <= lines, "the named line is in the cell: " + m);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 5, "the parse took " + seconds + " s");
    }
}
