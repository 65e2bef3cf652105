package org.infllava.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.infllava.eval.MultipleChoice;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmBenchFileTest {

    @TempDir
    Path dir;

    static final String HEADER = "index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\tl2-category\timage\tsplit\n";

    static String png() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(2, 1, 0x00FF00);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private Path tsv() throws IOException {
        String b64 = png();
        return Files.writeString(dir.resolve("mmbench.tsv"), HEADER
                // line 2: three options (D is nan), answer B.
                + "0\tWhat is shown?\tnan\tcat\tdog\tbird\tnan\tB\tattribute_recognition\tfinegrained_perception\t"
                + b64 + "\tdev\n"
                // line 3: its rotation, with CRLF.
                + "1000000\tWhat is shown?\tnan\tdog\tbird\tcat\t\tA\tattribute_recognition\t"
                + "finegrained_perception\t" + b64 + "\tdev\r\n"
                // lines 4-5: a quoted question holding a tab, a newline and quotes, as pandas writes it.
                + "1\t\"Line one\twith tab\nline \"\"two\"\"\"\tA hint\tyes\tno\tnan\tnan\tA\tlogic\treasoning\t\tdev\n"
                // line 6: a field short.
                + "2\tShort row\tnan\ta\tb\tnan\tnan\tA\tlogic\treasoning\tdev\n"
                // line 7: index 1 again.
                + "1\tAgain\tnan\ta\tb\tnan\tnan\tA\tlogic\treasoning\t\tdev\n"
                // line 8: C empty but D present.
                + "3\tGap\tnan\ta\tb\tnan\td\tA\tlogic\treasoning\t\tdev\n"
                // line 9: answer beyond the options.
                + "4\tBeyond\tnan\ta\tb\tnan\tnan\tC\tlogic\treasoning\t\tdev\n");
    }

    @Test
    void readsRowsQuotedFieldsAndReportsMalformedOnes() throws IOException {
        MmBenchFile m = MmBenchFile.read(tsv(), LoadOptions.defaults());
        assertTrue(m.hasAnswers());
        assertEquals(3, m.rows().size());
        MmBenchFile.Row r0 = m.rows().get(0);
        assertEquals(List.of("cat", "dog", "bird"), r0.options());
        assertEquals(1, r0.answer());
        assertNull(r0.hint(), "nan is no hint");
        assertEquals("finegrained_perception", r0.l2Category());
        MmBenchFile.Row quoted = m.rows().get(2);
        assertEquals("Line one\twith tab\nline \"two\"", quoted.question());
        assertEquals("A hint", quoted.hint());
        assertNull(quoted.imageBase64());
        LoadReport r = m.report();
        assertEquals(7, r.rows());
        assertEquals(Map.of("wrong number of fields", 1, "duplicate index", 1, "options not contiguous", 1,
                "answer names no option", 1), r.malformed());
        assertEquals(List.of("line 6: wrong number of fields (11 fields, header has 12)",
                "line 7: duplicate index (1)", "line 8: options not contiguous (C empty but D present)",
                "line 9: answer names no option ('C' with 2 options)"), r.firstProblems());
    }

    @Test
    void rotationsShareAQuestionKeyAndItemsCarryCategories() throws IOException {
        MmBenchFile m = MmBenchFile.read(tsv(), LoadOptions.defaults());
        assertEquals(List.of("0", "0", "1"), m.rows().stream().map(MmBenchFile.Row::questionKey).toList());
        MultipleChoice.Item rotated = m.items().get(1);
        assertEquals("1000000", rotated.id());
        assertEquals(0, rotated.answer());
        assertEquals(Map.of("category", "attribute_recognition", "l2_category", "finegrained_perception"),
                rotated.groups());
    }

    @Test
    void imagesDecodeLazilyOrAreDropped() throws IOException {
        MmBenchFile m = MmBenchFile.read(tsv(), LoadOptions.defaults());
        BufferedImage img = m.rows().get(0).image();
        assertEquals(3, img.getWidth());
        assertEquals(2, img.getHeight());
        assertEquals(0xFF0000, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, img.getRGB(2, 1) & 0xFFFFFF);
        assertEquals(0x000000, img.getRGB(1, 0) & 0xFFFFFF);
        MmBenchFile light = MmBenchFile.read(tsv(), LoadOptions.builder().images(false).build());
        assertNull(light.rows().get(0).imageBase64());
        assertThrows(InvalidInputException.class, () -> light.rows().get(0).image());
        // "bm90IGFuIGltYWdl" is base64 for "not an image".
        MmBenchFile.Row text = new MmBenchFile.Row(5, "q", null, List.of("a", "b"), 0, null, null, "bm90IGFuIGltYWdl");
        assertEquals("MMBench index 5: image: not a supported image (PNG, JPEG, BMP or GIF expected)",
                assertThrows(InvalidInputException.class, text::image).getMessage());
        MmBenchFile.Row junk = new MmBenchFile.Row(6, "q", null, List.of("a", "b"), 0, null, null, "ab=c");
        assertEquals("MMBench index 6: image is not valid base64",
                assertThrows(InvalidInputException.class, junk::image).getMessage());
    }

    @Test
    void testSplitWithoutAnswersAndBadHeaders() throws IOException {
        Path test = Files.writeString(dir.resolve("test.tsv"), "index\tquestion\tA\tB\n7\tWhich?\tx\ty\n");
        MmBenchFile t = MmBenchFile.read(test, LoadOptions.defaults());
        assertFalse(t.hasAnswers());
        assertEquals(-1, t.rows().get(0).answer());
        assertThrows(IllegalStateException.class, t::items);
        Path noA = Files.writeString(dir.resolve("noA.tsv"), "index\tquestion\tB\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> MmBenchFile.read(noA, LoadOptions.defaults()));
        assertTrue(e.getMessage().startsWith(noA + ": header lacks column 'A'"), e.getMessage());
    }
}
