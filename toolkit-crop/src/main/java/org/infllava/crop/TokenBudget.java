package org.infllava.crop;

/**
 * What a crop plan costs a ViT encoder and the LLM: encoder passes, tokens per pass, visual tokens before and after
 * pooling, and encoder FLOPs.
 *
 * <p>FLOPs count a multiply-add as 2. One pass over {@code T} tokens (patches plus class token) of width {@code d}
 * with {@code L} layers and MLP width {@code m} costs
 * {@code 2·[L·(4·T·d² + 2·T²·d + 2·T·d·m) + P·3·p²·d]}: q/k/v/out projections, the two attention matmuls, the MLP,
 * and the patch embedding over {@code P} patches of {@code p × p × 3} pixels. Norms, softmax and biases are left out.
 *
 * @param plan the crop plan
 * @param encoder the encoder, whose input resolution is the plan's sub-image size
 * @param encoderPasses images the encoder sees ({@link CropPlan#encoderPasses()})
 * @param tokensPerPass tokens per pass, class token included
 * @param featureMapTokens tokens of one recombined high-resolution feature map, {@code n_H·h × n_W·w} (eq. (5)-(6))
 * @param llmTokens visual tokens handed to the LLM after average pooling by the grid factor, {@code h·w}
 * @param flopsPerPass encoder FLOPs of one pass
 * @param encoderFlops encoder FLOPs of all passes
 */
public record TokenBudget(CropPlan plan, EncoderSpec encoder, int encoderPasses, long tokensPerPass,
        long featureMapTokens, long llmTokens, double flopsPerPass, double encoderFlops) {

    /** The budget of {@code plan} on {@code encoder}. */
    public static TokenBudget of(CropPlan plan, EncoderSpec encoder) {
        int hw = plan.subWidth() / encoder.patchSize();
        int hh = plan.subHeight() / encoder.patchSize();
        if (hw < 1 || hh < 1) {
            throw new IllegalArgumentException("sub-image " + plan.subWidth() + "x" + plan.subHeight()
                    + " is smaller than one patch of " + encoder.patchSize());
        }
        long patches = (long) hw * hh;
        long tokens = patches + (encoder.clsToken() ? 1 : 0);
        double perPass = passFlops(encoder, tokens, patches);
        long mapTokens = patches * plan.grid().count();
        return new TokenBudget(plan, encoder, plan.encoderPasses(), tokens, mapTokens, patches, perPass,
                perPass * plan.encoderPasses());
    }

    /**
     * FLOPs of one encoder pass over {@code tokens} tokens of which {@code patches} are image patches.
     */
    public static double passFlops(EncoderSpec e, long tokens, long patches) {
        double t = tokens;
        double d = e.hiddenSize();
        double perLayer = 4 * t * d * d + 2 * t * t * d + 2 * t * d * e.mlpSize();
        double embed = (double) patches * 3 * e.patchSize() * e.patchSize() * d;
        return 2 * (e.layers() * perLayer + embed);
    }

    /**
     * FLOPs of a single encoder pass over the whole canvas at full resolution (no cropping), the cost cropping
     * avoids: attention grows with the square of the token count.
     */
    public double directFullResolutionFlops() {
        long patches = (long) (plan.resizedWidth() / encoder.patchSize()) * (plan.resizedHeight() / encoder.patchSize());
        return passFlops(encoder, patches + (encoder.clsToken() ? 1 : 0), patches);
    }
}
