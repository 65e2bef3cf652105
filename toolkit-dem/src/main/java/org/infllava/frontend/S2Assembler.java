package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;

/**
 * S2 (Shi et al., 2024, "When do we not need larger vision models?", {@code s2wrapper/core.py} {@code forward}):
 * per scale {@code s}, the {@code s²} tiles' features recombined into one {@code (s·g, s·g)} map
 * ({@code merge_chessboard}), resized back to the base grid {@code g × g} with {@code F.interpolate(mode='area')} —
 * for these exact multiples an {@code s × s} average pooling, {@link #areaDownsample} — and the scales concatenated
 * along channels, smallest scale first.
 *
 * <p>Shapes: {@code (Σ s², g², d)} → {@code (1, g², k·d)} for {@code k} scales.
 */
public final class S2Assembler implements TokenAssembler {

    /** Registry name. */
    public static final String NAME = "s2";

    private final List<Integer> scales;

    /** S2's default scales for LLaVA: 1, 2, 3 (336, 672, 1008 px for a 336-px encoder). */
    public S2Assembler() {
        this(List.of(1, 2, 3));
    }

    /** @param scales the scales, increasing, the first 1 (the output grid is the first scale's) */
    public S2Assembler(List<Integer> scales) {
        this.scales = List.copyOf(scales);
        if (this.scales.isEmpty() || this.scales.get(0) != 1) {
            throw new IllegalArgumentException("S2 scales must start at 1, got " + scales);
        }
        for (int k = 1; k < this.scales.size(); k++) {
            if (this.scales.get(k) <= this.scales.get(k - 1)) {
                throw new IllegalArgumentException("S2 scales must increase, got " + scales);
            }
        }
    }

    /** The scales. */
    public List<Integer> scales() {
        return scales;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int outputChannels(int encoderChannels) {
        return scales.size() * encoderChannels;
    }

    @Override
    public long featureCount(ViewLayout layout, int grid) {
        check(layout);
        return (long) grid * grid;
    }

    @Override
    public List<Integer> usedViews(ViewLayout layout) {
        check(layout);
        return ViewFeatures.all(layout);
    }

    @Override
    public NDArray assemble(ParameterStore ps, NDArray features, ViewLayout layout, boolean training) {
        check(layout);
        int g = ViewFeatures.grid(features, layout, NAME);
        long d = features.getShape().get(2);
        NDList perScale = new NDList();
        for (int s : scales) {
            NDArray tiles = ViewFeatures.pick(features, ViewFeatures.rowMajor(layout, ViewRole.scale(s))); // (s², g², d)
            NDArray map = ViewFeatures.recombine(tiles, s, s, g); // (s·g, s·g, d)
            perScale.add(areaDownsample(map, s)); // (g, g, d)
        }
        NDArray out = perScale.size() == 1 ? perScale.get(0) : NDArrays.concat(perScale, 2); // (g, g, k·d)
        return out.reshape(1, (long) g * g, scales.size() * d); // (1, g², k·d)
    }

    /**
     * {@code F.interpolate(x, size=H/s, mode='area')} for a map whose side is a multiple of {@code s}: the mean of
     * each {@code s × s} block. {@code (H, W, d)} → {@code (H/s, W/s, d)}.
     */
    public static NDArray areaDownsample(NDArray map, int s) {
        long h = map.getShape().get(0);
        long w = map.getShape().get(1);
        long d = map.getShape().get(2);
        if (h % s != 0 || w % s != 0) {
            throw new IllegalArgumentException("map " + map.getShape() + " is not a multiple of the scale " + s);
        }
        if (s == 1) {
            return map;
        }
        return map.reshape(h / s, s, w / s, s, d) // (H/s, s, W/s, s, d)
                .mean(new int[] {3}) // (H/s, s, W/s, d); DJL's PyTorch mean takes one axis at a time
                .mean(new int[] {1}); // (H/s, W/s, d)
    }

    private void check(ViewLayout layout) {
        List<Integer> found = new ArrayList<>();
        int views = 0;
        for (var slot : layout.slots()) {
            if (slot.role().kind() != ViewRole.Kind.SCALE) {
                throw new IllegalArgumentException("the s2 assembler takes scale views only, got a " + slot.role()
                        + " view from " + layout.strategy());
            }
            if (!found.contains(slot.role().scale())) {
                found.add(slot.role().scale());
            }
        }
        if (!found.equals(scales)) {
            throw new IllegalArgumentException("the s2 assembler was built for scales " + scales + " but "
                    + layout.strategy() + " makes scales " + found);
        }
        for (int s : scales) {
            views += s * s;
            if (layout.gridRows(ViewRole.scale(s)) != s || layout.gridCols(ViewRole.scale(s)) != s) {
                throw new IllegalArgumentException("scale " + s + " of " + layout.strategy() + " is a "
                        + layout.gridRows(ViewRole.scale(s)) + "x" + layout.gridCols(ViewRole.scale(s)) + " grid, not "
                        + s + "x" + s);
            }
        }
        if (views != layout.count()) {
            throw new IllegalArgumentException(layout.strategy() + " makes " + layout.count() + " views; scales "
                    + scales + " need " + views);
        }
    }
}
