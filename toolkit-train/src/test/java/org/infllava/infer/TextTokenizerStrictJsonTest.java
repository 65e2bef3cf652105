package org.infllava.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fuzz finding that aborted the JVM: a {@code tokenizer.json} whose {@code decoder} is not valid JSON makes the
 * native tokenizers library panic. Such files (and valid JSON that the library's parser refuses: an unpaired
 * surrogate escape, a number out of range, 130 levels of nesting) are refused before the library sees them.
 */
class TextTokenizerStrictJsonTest {

    private static final Path INPUTS = Path.of("src/test/resources/org/infllava/train/TrainInputsFuzzTestInputs/tokenizer");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "finding-native-panic-decoder | not a readable tokenizer.json: ",
        "decoder-single-quotes        | not a readable tokenizer.json: ",
        "decoder-unpaired-surrogate   | not a readable tokenizer.json: an unpaired surrogate \\ud800 in a string",
        "decoder-number-out-of-range  | not a readable tokenizer.json: number 1e400 out of range",
        "decoder-nested-130           | not a readable tokenizer.json: nested deeper than 64 levels"})
    void refusedBeforeTheNativeLibrary(String name, String message) {
        Path f = INPUTS.resolve(name);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TextTokenizer.load(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + ": " + message), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"seed-wordlevel"})
    void theSeedStillLoads(String name) throws IOException {
        TextTokenizer t = TextTokenizer.load(INPUTS.resolve(name));
        assertEquals(4, t.encode("a").length == 1 ? t.encode("a")[0] : -1);
        assertTrue(Files.size(INPUTS.resolve(name)) > 0);
    }
}
