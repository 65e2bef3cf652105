package org.infllava.crop;

/**
 * The shape of a ViT vision encoder, enough to count its tokens and FLOPs.
 *
 * @param name a label for tables
 * @param imageSize input resolution (square), e.g. 336
 * @param patchSize patch size, e.g. 14
 * @param hiddenSize width {@code d}, e.g. 1024
 * @param layers transformer layers, e.g. 24
 * @param mlpSize MLP width, e.g. 4096
 * @param clsToken whether a class token is prepended
 */
public record EncoderSpec(String name, int imageSize, int patchSize, int hiddenSize, int layers, int mlpSize,
        boolean clsToken) {

    /** Validates. */
    public EncoderSpec {
        if (imageSize < 1 || patchSize < 1 || hiddenSize < 1 || layers < 1 || mlpSize < 1) {
            throw new IllegalArgumentException("encoder sizes must be positive: imageSize=" + imageSize + " patchSize="
                    + patchSize + " hiddenSize=" + hiddenSize + " layers=" + layers + " mlpSize=" + mlpSize);
        }
        if (patchSize > imageSize) {
            throw new IllegalArgumentException("patchSize=" + patchSize + " exceeds imageSize=" + imageSize);
        }
    }

    /** OpenAI CLIP-ViT-L/14-336: 336 px, patch 14, d 1024, 24 layers, MLP 4096, class token. */
    public static EncoderSpec clipVitL14x336() {
        return new EncoderSpec("CLIP-ViT-L/14-336", 336, 14, 1024, 24, 4096, true);
    }

    /** The same encoder shape at another input resolution and patch size (hidden size and depth kept). */
    public EncoderSpec withResolution(int newImageSize, int newPatchSize) {
        return new EncoderSpec(name, newImageSize, newPatchSize, hiddenSize, layers, mlpSize, clsToken);
    }

    /** Patch tokens along one side: {@code ⌊imageSize / patchSize⌋}. */
    public int tokensPerSide() {
        return imageSize / patchSize;
    }
}
