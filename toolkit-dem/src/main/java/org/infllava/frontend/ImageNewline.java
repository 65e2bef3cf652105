package org.infllava.frontend;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import org.infllava.nn.NamedBlock;

/**
 * LLaVA-NeXT's learned {@code image_newline}: one vector of the LLM's width {@code (d_llm)}, initialised as
 * {@code torch.randn(d_llm) · d_llm^(−1/2)} ({@code llava_arch.py}, {@code initialize_vision_modules}).
 */
final class ImageNewline extends NamedBlock {

    /** The parameter's name, as LLaVA-NeXT checkpoints store it (after {@code model.}). */
    static final String NAME = "image_newline";

    private final Parameter vector;
    private final int channels;

    ImageNewline(int channels) {
        this.channels = channels;
        this.vector = addParameter(Parameter.builder().setName(NAME).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(channels)).optInitializer(new NormalInitializer((float) (1 / Math.sqrt(channels))))
                .build());
    }

    Parameter vector() {
        return vector;
    }

    void initialize(NDManager manager, long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        initialize(manager, DataType.FLOAT32, new Shape(1, channels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return list(ps.getValue(vector, inputs.get(0).getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(channels)};
    }
}
