package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * S² ("Scaling on Scales", Shi et al., 2024, "When do we not need larger vision models?"; {@code s2}): for every
 * scale {@code s} (default 1, 2, 3) the image resized to {@code s·S × s·S} and cut into {@code s²} tiles of
 * {@code S × S}, row-major; scales in the given order.
 *
 * <p>Source: github.com/bfshi/scaling_on_scales, {@code s2wrapper/core.py} {@code forward}: {@code img_sizes =
 * [int(input_size·scale)]}, {@code num_splits = ⌈size / max_split_size⌉} ({@code = s} with the default split size
 * {@code S}), {@code F.interpolate(input, size, mode="bicubic")} then {@code split_chessboard} ({@code utils.py},
 * {@code 'b c (nh h) (nw w) -> (nh nw b) c h w'}: row-major tiles). After the encoder, {@code merge_chessboard}
 * rebuilds each scale's {@code s·g × s·g} map, {@code F.interpolate(mode="area")} pools it to the first scale's
 * size, and the scales are concatenated along channels.
 *
 * <p><b>Resampling difference.</b> The published wrapper resizes the normalised square input tensor with torch's
 * bicubic {@code interpolate} (no antialiasing). Here every scale is the source image resized with Pillow's bicubic
 * ({@link ClipPreprocessor#resize}) straight to {@code s·S × s·S} (squashed), so that every front-end shares one
 * image path; views differ from the published ones by this resampling (antialiased, 8-bit) only.
 *
 * <p>Layout: {@link ViewRole#scale} {@code (s)} tiles {@code (row, col)} with the source box each tile covers.
 * Tokens: the first scale's grid {@code (s₀·g)²} (576 for scales 1, 2, 3 on CLIP-ViT-L/14-336), each token of
 * {@code n_scales · d} channels.
 */
public final class MultiScaleCropper implements CropStrategy {

    /** Registry name. */
    public static final String NAME = "s2";

    private final String name;
    private final int size;
    private final int[] scales;

    private MultiScaleCropper(Builder b) {
        this.name = b.name;
        this.size = b.size;
        this.scales = b.scales.clone();
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** The tile side {@code S}. */
    public int size() {
        return size;
    }

    /** The scales, in encoder order (a copy). */
    public int[] scales() {
        return scales.clone();
    }

    @Override
    public ViewLayout layout(int width, int height) {
        Checks.positive(width, height);
        List<ViewSlot> slots = new ArrayList<>();
        for (int s : scales) {
            int side = s * size;
            for (int r = 0; r < s; r++) {
                for (int c = 0; c < s; c++) {
                    slots.add(new ViewSlot(ViewRole.scale(s), r, c, SourceBoxes.scaled(c * size, r * size,
                            (c + 1) * size, (r + 1) * size, side, side, width, height)));
                }
            }
        }
        return new ViewLayout(name, width, height, size, size, slots);
    }

    @Override
    public CropViews views(BufferedImage rgb) {
        BufferedImage img = ClipPreprocessor.toRgb(rgb);
        ViewLayout layout = layout(img.getWidth(), img.getHeight());
        List<BufferedImage> views = new ArrayList<>();
        for (int s : scales) {
            BufferedImage resized = ClipPreprocessor.resize(img, s * size, s * size);
            views.addAll(GridMaps.crop(resized, CropGrid.of(s, s, size, size), Perspective.LOCAL));
        }
        return new CropViews(layout, views);
    }

    /** The first scale's merged grid, {@code (s₀·g_w)·(s₀·g_h)} tokens of {@code n_scales·d}. */
    @Override
    public FrontEndBudget budget(ViewLayout layout, EncoderSpec encoder) {
        int gw = FrontEndBudget.gridWidth(layout, encoder);
        int gh = FrontEndBudget.gridHeight(layout, encoder);
        List<Integer> seen = new ArrayList<>();
        for (ViewSlot v : layout.slots()) {
            if (!seen.contains(v.role().scale())) {
                seen.add(v.role().scale());
            }
        }
        int s0 = seen.get(0);
        return FrontEndBudget.forLayout(layout, encoder, (long) s0 * gw * s0 * gh, seen.size());
    }

    @Override
    public String toString() {
        return name + "[size=" + size + ", scales=" + Arrays.toString(scales) + "]";
    }

    /** Builder: {@code setSubImageSize} is required. */
    public static final class Builder {
        private String name = NAME;
        private int size = -1;
        private int[] scales = {1, 2, 3};

        private Builder() {}

        /** The tile side {@code S} (the encoder's resolution, e.g. 336). Required. */
        public Builder setSubImageSize(int size) {
            this.size = size;
            return this;
        }

        /** The integer scales, distinct, in encoder order; default 1, 2, 3. */
        public Builder optScales(int... scales) {
            this.scales = scales.clone();
            return this;
        }

        /** The registry name; default {@code s2}. */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Validates, naming the values. */
        public MultiScaleCropper build() {
            Checks.subSize(size);
            if (scales.length == 0 || Arrays.stream(scales).anyMatch(s -> s < 1 || s > 64)
                    || Arrays.stream(scales).distinct().count() != scales.length) {
                throw new IllegalArgumentException("scales must be distinct integers in [1, 64], got "
                        + Arrays.toString(scales));
            }
            if ((long) size * Arrays.stream(scales).max().getAsInt() > Integer.MAX_VALUE / 4) {
                throw new IllegalArgumentException("size " + size + " times scale is too large");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            return new MultiScaleCropper(this);
        }
    }
}
