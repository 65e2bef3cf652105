package org.infllava.eval;

import java.util.List;

/**
 * Python 2.7 {@code unicode} methods, for the scripts that run under Python 2 ({@code vqaEval.py}): its
 * {@code json.load} gives {@code unicode} strings, whose {@code lower}, {@code strip} and {@code split} follow Python
 * 2.7.18's Unicode 5.2 tables, and its {@code re} patterns, compiled without {@code re.UNICODE}, read {@code \d} as
 * ASCII {@code [0-9]} only (see {@link VqaAnswers}). Differences from Python 3 ({@link PyText}):
 * <ul>
 *   <li>{@code lower()} maps each code point by its simple lower-case mapping: no final sigma ({@code "ΟΔΟΣ"} becomes
 *       {@code "οδοσ"}, not {@code "οδος"}), and {@code "İ"} (U+0130) becomes {@code "i"}, not {@code "i̇"}; code
 *       points that gained a lower-case mapping after Unicode 5.2 (Cherokee, Georgian Mtavruli, Osage, Adlam, some
 *       Latin and Cyrillic additions: {@link #NOT_LOWERED_BY_PYTHON2}) stay as they are;</li>
 *   <li>whitespace is Python 3's plus U+180E (MONGOLIAN VOWEL SEPARATOR, a space separator in Unicode 5.2).</li>
 * </ul>
 * Both tables were checked code point by code point against Python 2.7.18 ({@code unichr(c).lower()},
 * {@code unichr(c).isspace()} for every code point) and Java 17's {@link Character#toLowerCase(int)}: apart from
 * the ranges below, the two simple mappings agree everywhere.
 */
final class Py2Text {

    /**
     * Inclusive code-point ranges that Java 17 lower-cases and Python 2.7.18 does not (mappings added in Unicode
     * 6.0-13.0), computed by running both over every code point.
     */
    static final int[] NOT_LOWERED_BY_PYTHON2 = {
        0x37F, 0x37F, 0x526, 0x526, 0x528, 0x528, 0x52A, 0x52A, 0x52C, 0x52C, 0x52E, 0x52E, 0x10C7, 0x10C7,
        0x10CD, 0x10CD, 0x13A0, 0x13F5, 0x1C90, 0x1CBA, 0x1CBD, 0x1CBF, 0x2CF2, 0x2CF2, 0xA660, 0xA660,
        0xA698, 0xA698, 0xA69A, 0xA69A, 0xA78D, 0xA78D, 0xA790, 0xA790, 0xA792, 0xA792, 0xA796, 0xA796,
        0xA798, 0xA798, 0xA79A, 0xA79A, 0xA79C, 0xA79C, 0xA79E, 0xA79E, 0xA7A0, 0xA7A0, 0xA7A2, 0xA7A2,
        0xA7A4, 0xA7A4, 0xA7A6, 0xA7A6, 0xA7A8, 0xA7A8, 0xA7AA, 0xA7AE, 0xA7B0, 0xA7B4, 0xA7B6, 0xA7B6,
        0xA7B8, 0xA7B8, 0xA7BA, 0xA7BA, 0xA7BC, 0xA7BC, 0xA7BE, 0xA7BE, 0xA7C2, 0xA7C2, 0xA7C4, 0xA7C7,
        0xA7C9, 0xA7C9, 0xA7F5, 0xA7F5, 0x104B0, 0x104D3, 0x10C80, 0x10CB2, 0x118A0, 0x118BF, 0x16E40, 0x16E5F,
        0x1E900, 0x1E921};

    private Py2Text() {}

    /** Python 2.7 {@code unicode.isspace} for one code point. */
    static boolean isSpace(int cp) {
        return cp == 0x180E || PyText.isSpace(cp);
    }

    /** Python 2.7 {@code unicode.lower()}: the simple mapping, code point by code point. */
    static String lower(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(loweredByPython2(cp) ? Character.toLowerCase(cp) : cp));
        return sb.toString();
    }

    private static boolean loweredByPython2(int cp) {
        for (int i = 0; i < NOT_LOWERED_BY_PYTHON2.length; i += 2) {
            if (cp >= NOT_LOWERED_BY_PYTHON2[i] && cp <= NOT_LOWERED_BY_PYTHON2[i + 1]) {
                return false;
            }
        }
        return true;
    }

    /** Python 2.7 {@code unicode.strip()}. */
    static String strip(String s) {
        return PyText.strip(s, Py2Text::isSpace);
    }

    /** Python 2.7 {@code unicode.split()}. */
    static List<String> split(String s) {
        return PyText.split(s, Py2Text::isSpace);
    }

    /**
     * Python 2.7 {@code round(x, digits)}: the exact binary value rounded half away from zero (Python 3 rounds the
     * halves to even), so {@code round(0.125, 2)} is 0.13 here and 0.12 in Python 3.
     */
    static double round(double x, int digits) {
        return new java.math.BigDecimal(x).setScale(digits, java.math.RoundingMode.HALF_UP).doubleValue();
    }
}
