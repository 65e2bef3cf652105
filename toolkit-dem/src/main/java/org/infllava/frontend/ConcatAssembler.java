package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.infllava.crop.ViewLayout;

/**
 * Every view's patch features, one view after another in encoder order: {@code (V, P, d)} → {@code (1, V·P, d)}.
 * Monkey (Li et al., 2024) feeds its windows and its global view this way; its per-window LoRA and its shared
 * resampler are left out here, so the LLM sees every patch.
 */
public final class ConcatAssembler implements TokenAssembler {

    /** Registry name. */
    public static final String NAME = "concat";

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
        return (long) layout.count() * grid * grid;
    }

    @Override
    public List<Integer> usedViews(ViewLayout layout) {
        return ViewFeatures.all(layout);
    }

    @Override
    public NDArray assemble(ParameterStore ps, NDArray features, ViewLayout layout, boolean training) {
        ViewFeatures.patches(features, layout, NAME);
        return features.reshape(1, -1, features.getShape().get(2)); // (1, V·P, d)
    }
}
