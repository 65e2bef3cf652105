package org.infllava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    /** Off a terminal: one line when a new tenth is reached (0 %, 30 %, 50 %, 100 %), then the final line. */
    @Test
    void logsOneLinePerTenthOffATerminal() {
        StringWriter w = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(w), 20, false);
        bar.advance(0, "start");
        bar.advance(1, "a"); // 5 %: still the 0 tenth
        bar.advance(5, "b"); // 30 %
        bar.advance(1, "c"); // 35 %: same tenth
        bar.advance(3, "d"); // 50 %
        bar.finish("done"); // 100 %
        String[] lines = w.toString().split("\n");
        assertEquals(4, lines.length, w.toString());
        assertTrue(lines[0].startsWith("[........................]   0%"), lines[0]);
        assertTrue(lines[1].contains(" 30%") && lines[1].endsWith("b"), lines[1]);
        assertTrue(lines[2].startsWith("[############............]  50%") && lines[2].endsWith("d"), lines[2]);
        assertTrue(lines[3].startsWith("[########################] 100%  ETA 0m00s  done"), lines[3]);
        assertEquals(20, bar.done());
    }

    @Test
    void durationsAndValidation() {
        assertEquals("1m05s", ProgressBar.duration(65));
        assertEquals("1h02m", ProgressBar.duration(3720));
        assertEquals("--", ProgressBar.duration(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ProgressBar(new PrintWriter(new StringWriter()), 0,
                false));
    }
}
