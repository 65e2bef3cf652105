package org.infllava.data;

import java.util.Arrays;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;

/**
 * Turns a row into token ids and a label mask with a chat template, truncated to a maximum length counted with every
 * image expanded to its visual tokens — never cutting inside an image: an image that does not fit whole is dropped
 * with everything after it.
 */
public final class SampleEncoder {

    /**
     * An encoded row.
     *
     * @param ids token ids with {@link ChatTemplate#IMAGE_TOKEN} placeholders
     * @param labels true where the loss applies
     * @param images how many of the row's images are kept (the first ones)
     * @param expandedLength length once every kept image is expanded
     */
    public record Encoded(long[] ids, boolean[] labels, int images, int expandedLength) {}

    private final ChatTemplate template;
    private final TextTokenizer tokenizer;
    private final int visualTokens;
    private final int maxLength;

    /**
     * @param visualTokens tokens one image becomes (e.g. 576)
     * @param maxLength longest expanded sequence (e.g. 2048)
     */
    public SampleEncoder(ChatTemplate template, TextTokenizer tokenizer, int visualTokens, int maxLength) {
        if (visualTokens < 1 || maxLength < 1) {
            throw new IllegalArgumentException("visualTokens and maxLength must be positive, got " + visualTokens
                    + " and " + maxLength);
        }
        this.template = template;
        this.tokenizer = tokenizer;
        this.visualTokens = visualTokens;
        this.maxLength = maxLength;
    }

    /** Encodes a row. */
    public Encoded encode(LlavaDataset.Row row) {
        ChatTemplate.Rendered r = template.render(row.turns(), tokenizer, false);
        return truncate(r.ids(), r.labels(), visualTokens, maxLength);
    }

    /** Truncation that keeps images whole; see the class comment. */
    static Encoded truncate(long[] ids, boolean[] labels, int visualTokens, int maxLength) {
        int length = 0;
        int keep = 0;
        int images = 0;
        for (long id : ids) {
            int cost = id == ChatTemplate.IMAGE_TOKEN ? visualTokens : 1;
            if (length + cost > maxLength) {
                break;
            }
            length += cost;
            keep++;
            images += id == ChatTemplate.IMAGE_TOKEN ? 1 : 0;
        }
        return new Encoded(Arrays.copyOf(ids, keep), Arrays.copyOf(labels, keep), images, length);
    }
}
