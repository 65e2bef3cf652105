package org.infllava.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.infllava.infer.ChatTemplate.Role;
import org.infllava.infer.ChatTemplate.Turn;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.NpyArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    @TempDir
    Path dir;

    /** A word-level tokenizer.json with LLaMA-3's header tokens as added tokens. */
    private Path tokenizer() throws IOException {
        String[] words = {"<pad>", "<s>", "</s>", "<unk>", "<|begin_of_text|>", "<|start_header_id|>",
            "<|end_header_id|>", "<|eot_id|>", "system", "user", "assistant", "hi", "w5", "w6", "w7"};
        StringBuilder vocab = new StringBuilder();
        StringBuilder added = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            vocab.append(i == 0 ? "" : ", ").append('"').append(words[i]).append("\": ").append(i);
            if (words[i].startsWith("<")) {
                added.append(added.length() == 0 ? "" : ", ").append("{\"id\": ").append(i).append(", \"content\": \"")
                        .append(words[i]).append("\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, "
                                + "\"normalized\": false, \"special\": true}");
            }
        }
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": ["
                + added + "], \"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, "
                + "\"post_processor\": null, \"decoder\": null, \"model\": {\"type\": \"WordLevel\", \"vocab\": {"
                + vocab + "}, \"unk_token\": \"<unk>\"}}");
        return f;
    }

    /**
     * LLaMA-3: <|begin_of_text|>(4) <|start_header_id|>(5) system(8) <|end_header_id|>(6) hi(11) <|eot_id|>(7),
     * then the user block 5 9 6 [IMAGE] 12 13 7, the assistant header 5 10 6, the answer 14 and its <|eot_id|> 7 —
     * only the last two are labelled.
     */
    @Test
    void llama3RendersIdsAndLabelsOnlyTheAnswer() throws IOException {
        try (TextTokenizer tok = TextTokenizer.load(tokenizer())) {
            ChatTemplate.Rendered r = ChatTemplate.get("llama3").render(List.of(new Turn(Role.SYSTEM, "hi"),
                    new Turn(Role.USER, "<image>\nw5 w6"), new Turn(Role.ASSISTANT, "w7")), tok, false);
            assertArrayEquals(new long[] {4, 5, 8, 6, 11, 7, 5, 9, 6, ChatTemplate.IMAGE_TOKEN, 12, 13, 7, 5, 10, 6, 14, 7},
                    r.ids());
            boolean[] expected = new boolean[18];
            expected[16] = true;
            expected[17] = true;
            assertArrayEquals(expected, r.labels());
            assertEquals(1, r.imageCount());
            ChatTemplate.Rendered prompt = ChatTemplate.LLAMA3.render(List.of(new Turn(Role.SYSTEM, "hi"),
                    new Turn(Role.USER, "w5")), tok, true);
            // ... 5 9 6 12 7 then the generation prompt 5 10 6.
            assertArrayEquals(new long[] {4, 5, 8, 6, 11, 7, 5, 9, 6, 12, 7, 5, 10, 6}, prompt.ids());
        }
    }

    /** plain: the image, then the caption and "\n" (dropped by this tokenizer's whitespace split); caption labelled. */
    @Test
    void plainIsImageThenCaption() throws IOException {
        try (TextTokenizer tok = TextTokenizer.load(tokenizer())) {
            ChatTemplate.Rendered r = ChatTemplate.get("plain").render(List.of(new Turn(Role.USER, "<image>"),
                    new Turn(Role.ASSISTANT, "w5 w6")), tok, false);
            assertArrayEquals(new long[] {ChatTemplate.IMAGE_TOKEN, 12, 13}, r.ids());
            assertArrayEquals(new boolean[] {false, true, true}, r.labels());
        }
    }

    @Test
    void tokenizerMatchesTheFixtureAndRefusesAModelItDoesNotFit() {
        Path golden = Path.of("src/test/resources/golden");
        try (TextTokenizer tok = TextTokenizer.load(golden.resolve("llama"))) {
            HostTensor want = NpyArrays.read(golden.resolve("llama_text_ids.npy"));
            long[] ids = tok.encode(assertDoesNotThrowRead(golden.resolve("llama_text.txt")).strip());
            assertEquals(want.size(), ids.length);
            for (int i = 0; i < ids.length; i++) {
                assertEquals((long) want.data()[i], ids[i]);
            }
            assertEquals(96, tok.vocabSize());
            tok.checkFits(96, Path.of("config.json"));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> tok.checkFits(50,
                    Path.of("m/config.json")));
            assertTrue(e.getMessage().contains("token ids go up to 95 but the model (m/config.json) has vocab_size 50"),
                    e.getMessage());
        }
    }

    private static String assertDoesNotThrowRead(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
