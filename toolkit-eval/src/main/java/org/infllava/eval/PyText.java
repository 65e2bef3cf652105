package org.infllava.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * Python 3 {@code str} methods the official evaluation scripts rely on, so that ports of them treat whitespace as
 * Python does: {@code str.isspace} is true for Unicode category Zs and bidirectional classes WS, B and S (which
 * includes U+00A0 and U+001C–U+001F, unlike {@link Character#isWhitespace}).
 */
final class PyText {

    private PyText() {}

    /** Python's {@code str.isspace} for one code point. */
    static boolean isSpace(int cp) {
        if (Character.getType(cp) == Character.SPACE_SEPARATOR) {
            return true;
        }
        byte d = Character.getDirectionality(cp);
        return d == Character.DIRECTIONALITY_WHITESPACE || d == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || d == Character.DIRECTIONALITY_SEGMENT_SEPARATOR;
    }

    /** {@code s.strip()}. */
    static String strip(String s) {
        return strip(s, PyText::isSpace);
    }

    /** {@code s.split()}: runs of whitespace separate words; no empty words. */
    static List<String> split(String s) {
        return split(s, PyText::isSpace);
    }

    /** {@code strip()} under a Python version's idea of whitespace. */
    static String strip(String s, IntPredicate isSpace) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace.test(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isSpace.test(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** {@code split()} under a Python version's idea of whitespace. */
    static List<String> split(String s, IntPredicate isSpace) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isSpace.test(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            int start = i;
            while (i < s.length() && !isSpace.test(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            if (i > start) {
                words.add(s.substring(start, i));
            }
        }
        return words;
    }

    /** {@code s.lower()} (full Unicode lower-casing, as {@link Locale#ROOT} does). */
    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
