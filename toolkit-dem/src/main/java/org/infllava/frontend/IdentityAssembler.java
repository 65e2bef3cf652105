package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.infllava.crop.ViewLayout;

/**
 * LLaVA-1.5's tokens: the patch features of its single view, unchanged. {@code (1, P, d)} → {@code (1, P, d)}.
 * (LLaVA {@code llava_arch.py}: {@code encode_images} then the projector, no merging.)
 */
public final class IdentityAssembler implements TokenAssembler {

    /** Registry name. */
    public static final String NAME = "identity";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int outputChannels(int encoderChannels) {
        return encoderChannels;
    }

    @Override
    public long featureCount(ViewLayout layout, int grid) {
        check(layout);
        return (long) grid * grid;
    }

    @Override
    public List<Integer> usedViews(ViewLayout layout) {
        check(layout);
        return List.of(0);
    }

    @Override
    public NDArray assemble(ParameterStore ps, NDArray features, ViewLayout layout, boolean training) {
        check(layout);
        ViewFeatures.patches(features, layout, NAME);
        return features.reshape(1, -1, features.getShape().get(2)); // (1, P, d)
    }

    private static void check(ViewLayout layout) {
        if (layout.count() != 1) {
            throw new IllegalArgumentException("the identity assembler takes one view; " + layout.strategy()
                    + " makes " + layout.count() + " (use concat)");
        }
    }
}
