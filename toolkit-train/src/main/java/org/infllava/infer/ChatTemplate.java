package org.infllava.infer;

import java.util.ArrayList;
import java.util.List;
import org.infllava.common.Registry;

/**
 * A chat template as data: the strings around each role, rendered segment by segment into token ids with a label
 * mask that is true only on what the assistant says (its reply and end marker). {@code <image>} in a user turn
 * becomes the placeholder id {@link #IMAGE_TOKEN}, which the model replaces with visual tokens.
 *
 * @param name registry name
 * @param bos text placed first (e.g. {@code <|begin_of_text|>})
 * @param defaultSystem system prompt used when a conversation has none (empty: no system block)
 * @param systemPrefix text before the system prompt
 * @param systemSuffix text after it
 * @param userPrefix text before a user turn
 * @param userSuffix text after it
 * @param assistantPrefix text before an assistant turn (also the generation prompt)
 * @param assistantSuffix text after an assistant turn (trained on; generation stops at it)
 */
public record ChatTemplate(String name, String bos, String defaultSystem, String systemPrefix, String systemSuffix,
        String userPrefix, String userSuffix, String assistantPrefix, String assistantSuffix) {

    /** LLaVA's {@code IMAGE_TOKEN_INDEX}: where an image's visual tokens go. */
    public static final long IMAGE_TOKEN = -200;

    /** The placeholder text of an image in a prompt. */
    public static final String IMAGE_PLACEHOLDER = "<image>";

    /** LLaMA-3 instruct, as the published stage-2 recipe uses it. */
    public static final ChatTemplate LLAMA3 = new ChatTemplate("llama3", "<|begin_of_text|>",
            "You are a helpful language and vision assistant. You are able to understand the visual content that the "
                    + "user provides, and assist the user with a variety of tasks using natural language.",
            "<|start_header_id|>system<|end_header_id|>\n\n", "<|eot_id|>",
            "<|start_header_id|>user<|end_header_id|>\n\n", "<|eot_id|>",
            "<|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>");

    /** LLaVA's pre-training template: the image, then the caption and a newline. */
    public static final ChatTemplate PLAIN = new ChatTemplate("plain", "", "", "", "", "", "", "", "\n");

    /** Vicuna v1 (LLaVA-1.5). */
    public static final ChatTemplate VICUNA_V1 = new ChatTemplate("vicuna_v1", "<s>",
            "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, "
                    + "detailed, and polite answers to the human's questions.", "", " ", "USER: ", " ", "ASSISTANT: ",
            "</s>");

    private static final Registry<ChatTemplate> REGISTRY = Registry.of("chat template", ChatTemplate::name, LLAMA3,
            PLAIN, VICUNA_V1);

    /** Who speaks. */
    public enum Role {
        /** The system prompt. */
        SYSTEM,
        /** The human. */
        USER,
        /** The model. */
        ASSISTANT
    }

    /**
     * One turn of a conversation.
     *
     * @param role who speaks
     * @param text what is said; {@code <image>} marks where an image goes
     */
    public record Turn(Role role, String text) {}

    /**
     * A rendered conversation.
     *
     * @param ids token ids, {@link #IMAGE_TOKEN} where images go
     * @param labels true where the loss applies (the assistant's words and end markers)
     */
    public record Rendered(long[] ids, boolean[] labels) {
        /** Number of image placeholders. */
        public int imageCount() {
            int n = 0;
            for (long id : ids) {
                n += id == IMAGE_TOKEN ? 1 : 0;
            }
            return n;
        }
    }

    /** The template called {@code name} ({@code llama3}, {@code plain}, {@code vicuna_v1}, or registered ones). */
    public static ChatTemplate get(String name) {
        return REGISTRY.get(name);
    }

    /** Registered names. */
    public static List<String> names() {
        return REGISTRY.names();
    }

    /** Registers a template. */
    public static void register(ChatTemplate template) {
        REGISTRY.register(template.name(), () -> template);
    }

    /**
     * Renders a conversation.
     *
     * @param generationPrompt end with the assistant prefix, ready for the model to answer
     */
    public Rendered render(List<Turn> turns, TextTokenizer tokenizer, boolean generationPrompt) {
        List<long[]> pieces = new ArrayList<>();
        List<Boolean> trained = new ArrayList<>();
        add(pieces, trained, tokenizer, bos, false);
        String system = turns.stream().filter(t -> t.role() == Role.SYSTEM).map(Turn::text).findFirst()
                .orElse(defaultSystem);
        if (!system.isEmpty()) {
            add(pieces, trained, tokenizer, systemPrefix + system + systemSuffix, false);
        }
        for (Turn t : turns) {
            switch (t.role()) {
                case USER -> add(pieces, trained, tokenizer, userPrefix + t.text() + userSuffix, false);
                case ASSISTANT -> {
                    add(pieces, trained, tokenizer, assistantPrefix, false);
                    add(pieces, trained, tokenizer, t.text() + assistantSuffix, true);
                }
                default -> { } // the system turn is placed above
            }
        }
        if (generationPrompt) {
            add(pieces, trained, tokenizer, assistantPrefix, false);
        }
        int n = pieces.stream().mapToInt(p -> p.length).sum();
        long[] ids = new long[n];
        boolean[] labels = new boolean[n];
        int at = 0;
        for (int i = 0; i < pieces.size(); i++) {
            long[] p = pieces.get(i);
            System.arraycopy(p, 0, ids, at, p.length);
            for (int j = 0; j < p.length; j++) {
                labels[at + j] = trained.get(i);
            }
            at += p.length;
        }
        return new Rendered(ids, labels);
    }

    /** Tokenizes {@code text}, turning each {@code <image>} into {@link #IMAGE_TOKEN}. */
    private static void add(List<long[]> pieces, List<Boolean> trained, TextTokenizer tok, String text, boolean label) {
        if (text.isEmpty()) {
            return;
        }
        String[] parts = text.split(java.util.regex.Pattern.quote(IMAGE_PLACEHOLDER), -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                pieces.add(new long[] {IMAGE_TOKEN});
                trained.add(false);
            }
            if (!parts[i].isEmpty()) {
                pieces.add(tok.encode(parts[i]));
                trained.add(label);
            }
        }
    }

    /** The text that ends an assistant turn, trimmed (generation stops at its token). */
    public String stopText() {
        return assistantSuffix.strip().isEmpty() ? assistantSuffix : assistantSuffix.strip();
    }
}
