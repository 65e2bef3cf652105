package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * InternVL's dynamic high-resolution tiling ({@code internvl-dynamic}): the image squashed to the tile grid whose
 * aspect ratio is closest to its own, cut into {@code S × S} tiles row-major, plus a thumbnail (the whole image
 * squashed to {@code S × S}) last when there is more than one tile.
 *
 * <p>Source: github.com/OpenGVLab/InternVL, {@code internvl_chat/internvl/train/dataset.py} (the same code is in the
 * model cards and {@code README.md}): {@code dynamic_preprocess(image, min_num, max_num, image_size,
 * use_thumbnail=True)} and {@code find_closest_aspect_ratio}:
 * <ul>
 *   <li>candidates ({@link #candidates}): every {@code (i, j)} (columns, rows) with {@code 1 ≤ i, j} and
 *       {@code min ≤ i·j ≤ max}, sorted by {@code i·j};</li>
 *   <li>{@link #grid}: in that order, the candidate with the smallest {@code |w/h − i/j|} replaces the best; on an
 *       exact tie it replaces it only when {@code w·h > 0.5·S²·i·j} (the image is large enough for the larger
 *       grid); start {@code (1, 1)};</li>
 *   <li>{@code image.resize((S·i, S·j))} (Pillow bicubic), tile {@code k} = box
 *       {@code ((k mod i)·S, ⌊k/i⌋·S, …)}; {@code image.resize((S, S))} appended when {@code i·j ≠ 1}.</li>
 * </ul>
 * The published code sorts a Python {@code set}, so candidates with the same product keep the set's iteration
 * order; this class orders them by {@code i} ascending. With {@code min = 1} (every published call) the order
 * within one product cannot change the result: two equidistant candidates of one product always have a third
 * candidate strictly between their ratios, which is closer (checked for every {@code max ≤ 48}); with
 * {@code min > 1} an exact tie between two same-product grids could resolve differently.
 *
 * <p>Each view then passes torchvision's {@code Resize((S, S), BICUBIC)} on the PIL image (the identity on
 * {@code S × S}) and normalisation. Layout: {@link ViewRole#TILE} {@code (row, col)} with the source box the tile
 * covers, then {@link ViewRole#THUMBNAIL} (box: the whole image). Tokens: each view's {@code g × g} map
 * pixel-shuffled by 0.5 ({@code InternVLChatModel.pixel_shuffle}: every 2×2 block becomes one token of {@code 4d}),
 * {@code (g/2)²} per view, concatenated.
 */
public final class DynamicTileCropper implements CropStrategy {

    /** Registry name. */
    public static final String NAME = "internvl-dynamic";

    private final String name;
    private final int size;
    private final int minTiles;
    private final int maxTiles;
    private final boolean thumbnail;
    private final List<int[]> candidates;

    private DynamicTileCropper(Builder b) {
        this.name = b.name;
        this.size = b.size;
        this.minTiles = b.minTiles;
        this.maxTiles = b.maxTiles;
        this.thumbnail = b.thumbnail;
        this.candidates = candidates(minTiles, maxTiles);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The candidate grids {@code {columns, rows}} with {@code min ≤ i·j ≤ max}, by product, then columns. */
    public static List<int[]> candidates(int min, int max) {
        List<int[]> out = new ArrayList<>();
        for (int i = 1; i <= max; i++) {
            for (int j = 1; j <= max; j++) {
                if (i * j >= min && i * j <= max) {
                    out.add(new int[] {i, j});
                }
            }
        }
        out.sort(Comparator.<int[]>comparingInt(p -> p[0] * p[1]).thenComparingInt(p -> p[0]));
        return out;
    }

    @Override
    public String name() {
        return name;
    }

    /** The tile side {@code S}. */
    public int size() {
        return size;
    }

    /** {@code find_closest_aspect_ratio}: the grid {@code {columns, rows}} for a {@code w × h} image. */
    public int[] grid(int w, int h) {
        double aspect = (double) w / h;
        double bestDiff = Double.POSITIVE_INFINITY;
        int[] best = {1, 1};
        double area = (double) w * h;
        for (int[] r : candidates) {
            double diff = Math.abs(aspect - (double) r[0] / r[1]);
            if (diff < bestDiff) {
                bestDiff = diff;
                best = r;
            } else if (diff == bestDiff && area > 0.5 * size * size * r[0] * r[1]) {
                best = r;
            }
        }
        return best.clone();
    }

    @Override
    public ViewLayout layout(int width, int height) {
        Checks.positive(width, height);
        int[] g = grid(width, height);
        int tw = size * g[0];
        int th = size * g[1];
        List<ViewSlot> slots = new ArrayList<>();
        for (int r = 0; r < g[1]; r++) {
            for (int c = 0; c < g[0]; c++) {
                slots.add(new ViewSlot(ViewRole.TILE, r, c, SourceBoxes.scaled(c * size, r * size, (c + 1) * size,
                        (r + 1) * size, tw, th, width, height)));
            }
        }
        if (thumbnail && g[0] * g[1] != 1) {
            slots.add(new ViewSlot(ViewRole.THUMBNAIL, 0, 0, PixelBox.whole(width, height)));
        }
        return new ViewLayout(name, width, height, size, size, slots);
    }

    @Override
    public CropViews views(BufferedImage rgb) {
        BufferedImage img = ClipPreprocessor.toRgb(rgb);
        ViewLayout layout = layout(img.getWidth(), img.getHeight());
        int[] g = grid(img.getWidth(), img.getHeight());
        BufferedImage resized = ClipPreprocessor.resize(img, size * g[0], size * g[1]);
        List<BufferedImage> views = new ArrayList<>(GridMaps.crop(resized, CropGrid.of(g[0], g[1], size, size),
                Perspective.LOCAL));
        if (layout.count() > views.size()) {
            views.add(ClipPreprocessor.resize(img, size, size));
        }
        return new CropViews(layout, views);
    }

    /**
     * Pixel shuffle 0.5 per view: {@code count · (g_w/2)·(g_h/2)} tokens of {@code 4d}; the token grid must be even
     * (InternVL's {@code pixel_shuffle} reshapes {@code (n, w, h·0.5, c/0.5)}).
     */
    @Override
    public FrontEndBudget budget(ViewLayout layout, EncoderSpec encoder) {
        int gw = FrontEndBudget.gridWidth(layout, encoder);
        int gh = FrontEndBudget.gridHeight(layout, encoder);
        if (gw % 2 != 0 || gh % 2 != 0) {
            throw new IllegalArgumentException("InternVL's pixel shuffle (0.5) needs an even token grid, but "
                    + layout.viewWidth() + "-px views with patch " + encoder.patchSize() + " give " + gw + "x" + gh);
        }
        return FrontEndBudget.forLayout(layout, encoder, (long) layout.count() * (gw / 2) * (gh / 2), 4);
    }

    @Override
    public String toString() {
        return name + "[size=" + size + ", tiles=" + minTiles + ".." + maxTiles + ", thumbnail=" + thumbnail + "]";
    }

    /** Builder: {@code setSubImageSize} is required. */
    public static final class Builder {
        private String name = NAME;
        private int size = -1;
        private int minTiles = 1;
        private int maxTiles = 12;
        private boolean thumbnail = true;

        private Builder() {}

        /** The tile side {@code S} (InternVL: 448; the registry: 336). Required. */
        public Builder setSubImageSize(int size) {
            this.size = size;
            return this;
        }

        /** The fewest and most tiles, {@code min_num} and {@code max_num}; default 1 and 12. */
        public Builder optTiles(int min, int max) {
            this.minTiles = min;
            this.maxTiles = max;
            return this;
        }

        /** Whether to append the thumbnail when there is more than one tile; default true. */
        public Builder optThumbnail(boolean thumbnail) {
            this.thumbnail = thumbnail;
            return this;
        }

        /** The registry name; default {@code internvl-dynamic}. */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Validates, naming the values. */
        public DynamicTileCropper build() {
            Checks.subSize(size);
            if (minTiles < 1 || maxTiles < minTiles || maxTiles > 1024) {
                throw new IllegalArgumentException("tiles must satisfy 1 <= min <= max <= 1024, got min=" + minTiles
                        + " max=" + maxTiles);
            }
            if ((long) size * maxTiles > Integer.MAX_VALUE / 4) {
                throw new IllegalArgumentException("size " + size + " times max tiles " + maxTiles + " is too large");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            return new DynamicTileCropper(this);
        }
    }
}
