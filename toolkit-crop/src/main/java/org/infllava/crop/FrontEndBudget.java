package org.infllava.crop;

/**
 * What a visual front-end (a {@link CropStrategy} with its default token assembler) costs on one image: views,
 * encoder passes, the visual tokens the LLM sees (newline tokens included), how many encoder channels each visual
 * token carries, and encoder FLOPs. {@link CropStrategy#budget} computes it per strategy; a token assembler's output
 * length must equal {@link #visualTokens()}.
 *
 * <p>FLOPs are {@link TokenBudget#passFlops} per pass (a multiply-add counts 2) times the passes. Every view is one
 * pass of {@code g_w·g_h} patches ({@code g = view side / patch}), plus the class token when the encoder has one.
 *
 * @param strategy the strategy's registry name
 * @param views the number of views ({@link ViewLayout#count()})
 * @param encoderPasses images the encoder sees (one per view)
 * @param tokensPerPass tokens per pass, class token included
 * @param visualTokens visual tokens handed to the projector and the LLM, newline tokens included
 * @param channelMultiplier encoder channels per visual token, in units of the encoder width {@code d} (InternVL's
 *     pixel shuffle: 4; S2: the number of scales; otherwise 1)
 * @param flopsPerPass encoder FLOPs of one pass
 * @param encoderFlops encoder FLOPs of all passes
 */
public record FrontEndBudget(String strategy, int views, int encoderPasses, long tokensPerPass, long visualTokens,
        int channelMultiplier, double flopsPerPass, double encoderFlops) {

    /** The budget of {@code strategy} on a {@code width × height} image. */
    public static FrontEndBudget of(CropStrategy strategy, int width, int height, EncoderSpec encoder) {
        return strategy.budget(strategy.layout(width, height), encoder);
    }

    /** The budget of {@code strategy} on one of its layouts. */
    public static FrontEndBudget of(CropStrategy strategy, ViewLayout layout, EncoderSpec encoder) {
        return strategy.budget(layout, encoder);
    }

    /**
     * A budget where every view is one encoder pass and the assembler hands over {@code visualTokens} tokens of
     * {@code channelMultiplier·d} channels.
     */
    public static FrontEndBudget forLayout(ViewLayout layout, EncoderSpec encoder, long visualTokens,
            int channelMultiplier) {
        long patches = (long) gridWidth(layout, encoder) * gridHeight(layout, encoder);
        long tokens = patches + (encoder.clsToken() ? 1 : 0);
        double perPass = TokenBudget.passFlops(encoder, tokens, patches);
        return new FrontEndBudget(layout.strategy(), layout.count(), layout.count(), tokens, visualTokens,
                channelMultiplier, perPass, perPass * layout.count());
    }

    /** Patch tokens across one view: {@code ⌊viewWidth / patch⌋} (at least 1, else an error). */
    public static int gridWidth(ViewLayout layout, EncoderSpec encoder) {
        return side(layout.viewWidth(), encoder);
    }

    /** Patch tokens down one view: {@code ⌊viewHeight / patch⌋} (at least 1, else an error). */
    public static int gridHeight(ViewLayout layout, EncoderSpec encoder) {
        return side(layout.viewHeight(), encoder);
    }

    /** Patch tokens of one view, {@code g_w·g_h}. */
    public static long patchesPerView(ViewLayout layout, EncoderSpec encoder) {
        return (long) gridWidth(layout, encoder) * gridHeight(layout, encoder);
    }

    private static int side(int pixels, EncoderSpec encoder) {
        int g = pixels / encoder.patchSize();
        if (g < 1) {
            throw new IllegalArgumentException("a view of " + pixels + " px is smaller than one patch of "
                    + encoder.patchSize());
        }
        return g;
    }
}
