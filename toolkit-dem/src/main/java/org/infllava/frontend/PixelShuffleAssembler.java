package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.infllava.crop.ViewLayout;

/**
 * InternVL's token merge: every view's {@code g × g} patch features through {@link #pixelShuffle} with scale 0.5
 * (each 2×2 block of patches becomes one token of {@code 4·d}), the views concatenated in encoder order (InternVL
 * {@code modeling_internvl_chat.py}, {@code extract_feature}, {@code ps_version = "v2"}).
 *
 * <p>Shapes: {@code (V, g², d)} → {@code (1, V·(g/2)², 4·d)}. InternVL's grids are even (448 px / 14 = 32); its code
 * fails on an odd one. {@link #PixelShuffleAssembler(boolean) padOddGrid} is a toolkit extension for towers with an
 * odd grid (the lab's 28-px / 4-px tower, g = 7): the map is zero-padded by one row and one column at the
 * bottom/right first, giving {@code ⌈g/2⌉²} tokens per view.
 */
public final class PixelShuffleAssembler implements TokenAssembler {

    /** Registry name. */
    public static final String NAME = "pixel-shuffle";

    private final boolean padOddGrid;

    /** InternVL's pixel shuffle; an odd patch grid is an error. */
    public PixelShuffleAssembler() {
        this(false);
    }

    /** @param padOddGrid zero-pad an odd {@code g × g} grid to {@code (g+1) × (g+1)} (a toolkit extension) */
    public PixelShuffleAssembler(boolean padOddGrid) {
        this.padOddGrid = padOddGrid;
    }

    /** Whether an odd grid is zero-padded to an even one. */
    public boolean padOddGrid() {
        return padOddGrid;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int outputChannels(int encoderChannels) {
        return 4 * encoderChannels;
    }

    @Override
    public long featureCount(ViewLayout layout, int grid) {
        int h = half(grid);
        return (long) layout.count() * h * h;
    }

    @Override
    public List<Integer> usedViews(ViewLayout layout) {
        return ViewFeatures.all(layout);
    }

    @Override
    public NDArray assemble(ParameterStore ps, NDArray features, ViewLayout layout, boolean training) {
        int g = ViewFeatures.grid(features, layout, NAME);
        half(g);
        long v = features.getShape().get(0);
        long d = features.getShape().get(2);
        NDArray map = features.reshape(v, g, g, d); // (V, g, g, d)
        if (g % 2 != 0) {
            NDArray row = features.getManager().zeros(new Shape(v, 1, g, d), features.getDataType(),
                    features.getDevice());
            map = map.concat(row, 1); // (V, g+1, g, d)
            NDArray col = features.getManager().zeros(new Shape(v, g + 1, 1, d), features.getDataType(),
                    features.getDevice());
            map = map.concat(col, 2); // (V, g+1, g+1, d)
        }
        NDArray shuffled = pixelShuffle(map); // (V, g/2, g/2, 4d)
        return shuffled.reshape(1, -1, 4 * d); // (1, V·(g/2)², 4d)
    }

    /**
     * InternVL's {@code pixel_shuffle(x, scale_factor=0.5)} ({@code ps_version} v2) step by step: {@code x (N, A, B, C)}
     * (A the patch rows, B the columns) is viewed as {@code (N, A, B/2, 2C)}, permuted to {@code (N, B/2, A, 2C)},
     * viewed as {@code (N, B/2, A/2, 4C)} and permuted back to {@code (N, A/2, B/2, 4C)}. Token {@code (i, j)} thus
     * holds, in channel order, patches {@code (2i, 2j)}, {@code (2i, 2j+1)}, {@code (2i+1, 2j)}, {@code (2i+1, 2j+1)}.
     */
    public static NDArray pixelShuffle(NDArray x) {
        long n = x.getShape().get(0);
        long a = x.getShape().get(1);
        long b = x.getShape().get(2);
        long c = x.getShape().get(3);
        NDArray y = x.reshape(n, a, b / 2, 2 * c); // (N, A, B/2, 2C)
        y = y.transpose(0, 2, 1, 3); // (N, B/2, A, 2C)
        y = y.reshape(n, b / 2, a / 2, 4 * c); // (N, B/2, A/2, 4C)
        return y.transpose(0, 2, 1, 3); // (N, A/2, B/2, 4C)
    }

    private int half(int g) {
        if (g % 2 != 0 && !padOddGrid) {
            throw new IllegalArgumentException("pixel shuffle 0.5 needs an even patch grid, got " + g + "x" + g
                    + " (PixelShuffleAssembler(true) zero-pads an odd one)");
        }
        return (g + 1) / 2;
    }
}
