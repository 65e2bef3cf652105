package org.infllava.dem;

import org.infllava.nn.NamedBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A fusion of the two enhanced maps (§4.3.4, Tab. 5): {@code V^glo, V^loc: (B, H, W, d) → V^dual: (B, H, W, d)}.
 * Created by a {@link Fusion}.
 */
public abstract class FusionBlock extends NamedBlock {

    /** Channels {@code d}. */
    protected final int channels;

    /** A fusion of {@code d}-channel maps. */
    protected FusionBlock(int channels) {
        this.channels = channels;
    }

    /**
     * Fuses the globally-enhanced and the locally-enhanced maps.
     *
     * @param globalEnhanced {@code V^glo (B, H, W, d)} — global map as query
     * @param localEnhanced {@code V^loc (B, H, W, d)} — local map as query
     * @return {@code V^dual (B, H, W, d)}
     */
    public abstract NDArray fuse(ParameterStore ps, NDArray globalEnhanced, NDArray localEnhanced, boolean training);

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(fuse(ps, inputs.get(0), inputs.get(1), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /**
     * Whether each output token depends only on the two inputs' tokens at the same position (no neighbourhood), so
     * the fusion may run on any subset of positions; {@code false} unless a subclass says so.
     */
    public boolean tokenWise() {
        return false;
    }

    /**
     * Whether each output token is a linear map of the two inputs' tokens at the same position (token-wise, no bias
     * term), so an averaging pooling may run before the fusion with the same result; {@code false} unless a subclass
     * says so.
     */
    public boolean linear() {
        return false;
    }
}
