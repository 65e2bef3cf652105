package org.infllava.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Python 2.7's unicode methods. Expected values were printed by Python 2.7.18 ({@code u'...'.lower()},
 * {@code .split()}, {@code .isspace()}) and Python 3.11 for contrast.
 */
class Py2TextTest {

    @Test
    void lowerIsTheSimpleMappingOfUnicode52() {
        // py2: u'\u0130'.lower() == u'i'; py3: 'i\u0307'
        assertEquals("istanbul", Py2Text.lower("\u0130STANBUL"));
        assertEquals("i\u0307stanbul", PyText.lower("\u0130STANBUL"));
        // py2: no final sigma (u'\u03a3\u03a3'.lower() == u'\u03c3\u03c3'); py3 ends the word with ς
        assertEquals("οδοσ", Py2Text.lower("ΟΔΟΣ"));
        assertEquals("οδος", PyText.lower("ΟΔΟΣ"));
        // Cherokee gained lower case in Unicode 8.0: Python 2.7 leaves U+13A0 as it is; so Georgian Mtavruli
        assertEquals("\u13A0", Py2Text.lower("\u13A0"));
        assertEquals("\u1C90", Py2Text.lower("\u1C90"));
        assertEquals("\uAB70", PyText.lower("\u13A0"));
        // titlecase digraph and ordinary letters agree
        assertEquals("ǆ", Py2Text.lower("ǅ"));
        assertEquals("straße", Py2Text.lower("STRAßE"));
    }

    @Test
    void whitespaceIsUnicode52s() {
        assertTrue(Py2Text.isSpace(0x180E));
        assertFalse(PyText.isSpace(0x180E));
        assertTrue(Py2Text.isSpace(0xA0));
        assertTrue(Py2Text.isSpace(0x1C));
        assertFalse(Py2Text.isSpace(0x200B));
        assertEquals(List.of("red", "ball"), Py2Text.split("red\u180Eball"));
        assertEquals(List.of("red\u180Eball"), PyText.split("red\u180Eball"));
        assertEquals("x", Py2Text.strip("\u180E\u00A0x\u2028"));
        // the full set, from u''.join(unichr(c) for c in range(0x110000)).isspace() per code point
        int count = 0;
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            count += Py2Text.isSpace(cp) ? 1 : 0;
        }
        assertEquals(30, count);
    }

    @Test
    void vqaEvalPunctuationReadsOnlyAsciiDigits() {
        // periodStrip (?!<=\d)(\.)(?!\d): before "٥" (U+0665) the period goes under Python 2, stays under Python 3
        assertEquals("٣٥", VqaAnswers.processPunctuationPy2("٣.٥"));
        assertEquals("٣.٥", VqaAnswers.processPunctuation("٣.٥"));
        assertEquals("3.5", VqaAnswers.processPunctuationPy2("3.5"));
        // commaStrip (\d)(\,)(\d): "٣,٥" is a digit-comma-digit only under Python 3 (comma deleted); under Python 2
        // the comma touches no space, so it becomes one
        assertEquals("٣ ٥", VqaAnswers.processPunctuationPy2("٣,٥"));
        assertEquals("٣٥", VqaAnswers.processPunctuation("٣,٥"));
    }
}
