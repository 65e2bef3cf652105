package org.infllava.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.infllava.crop.ViewLayout;
import org.infllava.frontend.TokenAssembler;

/**
 * The lab's {@code blind} calibration row: the encoder's features are dropped and one all-zero feature stands in for
 * the image, so the projector hands the LLM one constant token that carries nothing about the scene. The model
 * otherwise has the same LLM, data and budget as every other row, so its accuracy is the language prior: what the
 * questions alone give away.
 *
 * <p>Shapes: {@code features (V, P, d)} → {@code (1, 1, d)} of zeros.
 */
final class BlindAssembler implements TokenAssembler {

    /** Name (not registered: a lab calibration row, not a front-end of the field). */
    static final String NAME = "blind";

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
        return 1;
    }

    @Override
    public List<Integer> usedViews(ViewLayout layout) {
        return List.of();
    }

    @Override
    public NDArray assemble(ParameterStore ps, NDArray features, ViewLayout layout, boolean training) {
        return features.getManager().zeros(new ai.djl.ndarray.types.Shape(1, 1, features.getShape().get(2)),
                features.getDataType()); // (1, 1, d)
    }
}
