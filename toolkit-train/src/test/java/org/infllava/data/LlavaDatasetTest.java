package org.infllava.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.infllava.infer.ChatTemplate;
import org.infllava.io.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlavaDatasetTest {

    @TempDir
    Path dir;

    private Path jsonl(String... lines) throws IOException {
        Files.writeString(dir.resolve("img.png"), "x");
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static String row(String id, String image, String conv) {
        return "{\"id\": \"" + id + "\"" + (image == null ? "" : ", \"image\": " + image) + ", \"conversations\": "
                + conv + "}";
    }

    private static final String GOOD = "[{\"from\": \"human\", \"value\": \"<image>\\nq\"}, {\"from\": \"gpt\", \"value\": \"a\"}]";

    @Test
    void everyMalformedRowIsCountedByReason() throws IOException {
        Path f = jsonl(
                row("ok", "\"img.png\"", GOOD),
                "{not json",
                row("nofield", "\"img.png\"", "null").replace(", \"conversations\": null", ""),
                row("missing", "\"nope.png\"", GOOD),
                row("count", "[\"img.png\", \"img.png\"]", GOOD),
                row("empty", null, "[]"),
                row("unbalanced", null, "[{\"from\": \"human\", \"value\": \"q\"}]"),
                row("text", null, "[{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]"));
        LlavaDataset d = LlavaDataset.load(f, dir, false);
        assertEquals(8, d.report().total());
        assertEquals(2, d.report().kept());
        assertEquals(Map.of(LlavaDataset.Reason.BAD_JSON, 1, LlavaDataset.Reason.MISSING_FIELD, 1,
                LlavaDataset.Reason.MISSING_IMAGE_FILE, 1, LlavaDataset.Reason.IMAGE_COUNT_MISMATCH, 1,
                LlavaDataset.Reason.EMPTY_CONVERSATION, 1, LlavaDataset.Reason.UNBALANCED_CONVERSATION, 1),
                d.report().skipped());
        assertEquals(List.of("ok", "text"), d.rows().stream().map(LlavaDataset.Row::id).toList());
        assertTrue(d.report().summary().startsWith("2 of 8 rows kept"), d.report().summary());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LlavaDataset.load(f, dir, true));
        assertTrue(e.getMessage().contains("d.jsonl: row 1 (id 1): bad json"), e.getMessage());
    }

    /**
     * Truncation counts an image as its visual tokens (here 5) and never cuts one: ids [1, IMG, 2, 3, IMG, 4] at
     * max 9 keep [1, IMG, 2, 3] (1 + 5 + 1 + 1 = 8; the second image would need 13).
     */
    @Test
    void truncationKeepsImagesWhole() {
        long img = ChatTemplate.IMAGE_TOKEN;
        SampleEncoder.Encoded e = SampleEncoder.truncate(new long[] {1, img, 2, 3, img, 4},
                new boolean[] {false, false, true, true, false, true}, 5, 9);
        assertArrayEquals(new long[] {1, img, 2, 3}, e.ids());
        assertArrayEquals(new boolean[] {false, false, true, true}, e.labels());
        assertEquals(1, e.images());
        assertEquals(8, e.expandedLength());
    }

    @Test
    void lengthGroupedBatchesAreSeededAndCoverEverySample() {
        int[] lengths = {5, 50, 7, 40, 6, 45, 8, 30};
        List<int[]> a = Batches.epoch(lengths, 2, 2, 1, 0);
        List<int[]> b = Batches.epoch(lengths, 2, 2, 1, 0);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i));
        }
        boolean[] seen = new boolean[8];
        for (int[] batch : a) {
            for (int i : batch) {
                seen[i] = true;
            }
            // Within a mega-batch of 4 sorted by length, each batch of 2 holds neighbours: descending lengths.
            assertTrue(lengths[batch[0]] >= lengths[batch[1]]);
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
    }
}
