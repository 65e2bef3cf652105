package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.infllava.crop.AnyResCropper;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;

/**
 * LLaVA-NeXT's {@code spatial_unpad} merge ({@code llava/model/llava_arch.py}, {@code prepare_inputs_labels_for_multimodal}
 * with {@code mm_patch_merge_type = "spatial_unpad"}, {@code image_aspect_ratio = "anyres"}): the base view's
 * {@code g²} patch features first, then the {@code nH × nW} tiles' features recombined into one
 * {@code (nH·g, nW·g)} map, cut back to the original aspect ratio by {@link #unpad} ({@code unpad_image}), and — after
 * the projector, in the LLM's space — the learned {@code image_newline} appended after each row of that map.
 *
 * <p>Shapes: {@code (1 + nH·nW, g², d)} → {@link #assemble} {@code (1, g² + H'·W', d)} → {@link #toLlm}
 * {@code (1, g² + H'·(W' + 1), d_llm)}. The published code projects the features first and merges after; the
 * projector acts token by token, so projecting after the merge gives the same tokens.
 */
public final class AnyResUnpadAssembler implements TokenAssembler {

    /** Registry name. */
    public static final String NAME = "anyres-unpad";

    private final ImageNewline newline;

    /** @param llmChannels the LLM's width, the {@code image_newline}'s size */
    public AnyResUnpadAssembler(int llmChannels) {
        if (llmChannels < 1) {
            throw new IllegalArgumentException("llmChannels must be positive, got " + llmChannels);
        }
        this.newline = new ImageNewline(llmChannels);
    }

    /** The rows and columns kept of a {@code height × width} map by {@link #unpad}: {@code [top, bottom) × [left, right)}. */
    public record Unpadded(int top, int bottom, int left, int right) {
        /** Rows kept, {@code H'}. */
        public int height() {
            return bottom - top;
        }

        /** Columns kept, {@code W'}. */
        public int width() {
            return right - left;
        }
    }

    /**
     * LLaVA-NeXT's {@code unpad_image} on a {@code currentHeight × currentWidth} map of an image that was
     * {@code originalWidth × originalHeight}, with its arithmetic: when {@code W/H > w/h} (float division) padding was
     * added to the height, {@code new_h = int(H·(w/W))}, {@code pad = (h − new_h) // 2}, rows {@code [pad, h − pad)};
     * else to the width, {@code new_w = int(W·(h/H))}, columns {@code [pad, w − pad)}. The arithmetic lives in
     * {@link AnyResCropper#unpadded}, which the token budget uses too.
     */
    public static Unpadded unpad(int currentHeight, int currentWidth, int originalWidth, int originalHeight) {
        AnyResCropper.Unpadded u = AnyResCropper.unpadded(originalWidth, originalHeight, currentWidth, currentHeight);
        return new Unpadded(u.top(), u.top() + u.rows(), u.left(), u.left() + u.cols());
    }

    /** The unpadded part of {@code layout}'s tile map for a {@code g × g} patch grid per view. */
    public static Unpadded unpadded(ViewLayout layout, int grid) {
        return unpad(layout.gridRows(ViewRole.TILE) * grid, layout.gridCols(ViewRole.TILE) * grid,
                layout.sourceWidth(), layout.sourceHeight());
    }

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
        Unpadded u = unpadded(layout, grid);
        return (long) grid * grid + (long) u.height() * u.width();
    }

    @Override
    public long tokenCount(ViewLayout layout, int grid) {
        check(layout);
        Unpadded u = unpadded(layout, grid);
        return (long) grid * grid + (long) u.height() * (u.width() + 1);
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
        int rows = layout.gridRows(ViewRole.TILE);
        int cols = layout.gridCols(ViewRole.TILE);
        NDArray base = ViewFeatures.pick(features, layout.indicesOf(ViewRole.BASE)); // (1, g², d)
        NDArray tiles = ViewFeatures.pick(features, ViewFeatures.rowMajor(layout, ViewRole.TILE)); // (nH·nW, g², d)
        NDArray map = ViewFeatures.recombine(tiles, rows, cols, g); // (nH·g, nW·g, d)
        Unpadded u = unpadded(layout, g);
        if (u.height() == 0 || u.width() == 0) {
            return base; // an extreme aspect ratio keeps no cell (unpad_image's empty slice): (1, g², d)
        }
        NDArray kept = map.get(u.top() + ":" + u.bottom() + ", " + u.left() + ":" + u.right()); // (H', W', d)
        return base.concat(kept.reshape(1, (long) u.height() * u.width(), d), 1); // (1, g² + H'·W', d)
    }

    @Override
    public NDArray toLlm(ParameterStore ps, NDArray assembled, ViewLayout layout, int grid,
            UnaryOperator<NDArray> projector, boolean training) {
        NDArray projected = projector.apply(assembled); // (1, g² + H'·W', D)
        long dl = projected.getShape().get(2);
        Unpadded u = unpadded(layout, grid);
        long baseTokens = (long) grid * grid;
        NDArray base = projected.get(":, :" + baseTokens); // (1, g², D)
        if (u.height() == 0) {
            return base; // no row kept, no newline
        }
        NDArray nl = ps.getValue(newline.vector(), projected.getDevice(), training).reshape(1, 1, dl); // (1, 1, D)
        NDArray column = projected.getManager().ones(new Shape(u.height(), 1, 1), projected.getDataType(),
                projected.getDevice()).mul(nl); // (H', 1, D)
        if (u.width() == 0) {
            return base.concat(column.reshape(1, u.height(), dl), 1); // (1, g² + H', D): newlines only
        }
        NDArray map = projected.get(":, " + baseTokens + ":").reshape(u.height(), u.width(), dl); // (H', W', D)
        NDArray rowsWithNewline = map.concat(column, 1); // (H', W' + 1, D)
        return base.concat(rowsWithNewline.reshape(1, -1, dl), 1); // (1, g² + H'·(W' + 1), D)
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return newline.namedParameters();
    }

    @Override
    public void initialize(NDManager manager, long seed) {
        newline.initialize(manager, seed);
    }

    private static void check(ViewLayout layout) {
        if (layout.indicesOf(ViewRole.BASE).size() != 1
                || layout.indicesOf(ViewRole.TILE).size() + 1 != layout.count()) {
            List<String> roles = new ArrayList<>();
            layout.slots().forEach(s -> roles.add(s.role().label()));
            throw new IllegalArgumentException("the anyres-unpad assembler needs one base view and tiles, got "
                    + layout.strategy() + " views " + roles);
        }
    }
}
