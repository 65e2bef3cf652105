package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * LLaVA-NeXT's "anyres" front-end ({@code llava-next-anyres}): a base view of the whole image squashed to
 * {@code S × S}, then the {@code S × S} tiles of the image resized into the best grid resolution and padded.
 *
 * <p>Source: github.com/LLaVA-VL/LLaVA-NeXT, {@code llava/mm_utils.py}:
 * <ul>
 *   <li>{@code select_best_resolution} ({@link #bestResolution}): for each pinpoint {@code (W_p, H_p)},
 *       {@code scale = min(W_p/w, H_p/h)}, downscaled {@code (int(w·scale), int(h·scale))}, effective resolution
 *       {@code min(w_d·h_d, w·h)}, waste {@code W_p·H_p − effective}; the pinpoint with the largest effective
 *       resolution wins, then the least waste, then the first in the list.</li>
 *   <li>{@code resize_and_pad_image} ({@link #resizedSize}): when {@code W_p/w < H_p/h} the width is filled,
 *       {@code h' = min(⌈h·W_p/w⌉, H_p)}, else {@code w' = min(⌈w·H_p/h⌉, W_p)}; Pillow's bicubic resize to
 *       {@code w' × h'}, pasted at {@code (⌊(W_p − w')/2⌋, ⌊(H_p − h')/2⌋)} on black.</li>
 *   <li>{@code divide_to_patches}: {@code S × S} crops, rows then columns (row-major).</li>
 *   <li>{@code process_anyres_image}: the views are {@code [image.resize((S, S))] + patches} — the base view is a
 *       squash, not a pad; each then goes through {@code CLIPImageProcessor} (shortest edge {@code S}, centre crop
 *       {@code S}), the identity on {@code S × S} images.</li>
 * </ul>
 * Default pinpoints for {@code S}: {@code S×2S, 2S×S, 2S×2S, 3S×S, S×3S} (width × height; 336×672, 672×336, 672×672,
 * 1008×336, 336×1008 for {@code S = 336}, LLaVA-NeXT's {@code image_grid_pinpoints}).
 *
 * <p>Layout: {@link ViewRole#BASE} (box: the whole image), then {@link ViewRole#TILE} {@code (row, col)} with the
 * source pixels the tile's non-padded part covers ({@code null} for a tile wholly in padding). The tile grid
 * ({@link ViewLayout#gridCols}, {@link ViewLayout#gridRows} of {@code TILE}) times {@code S} is the chosen
 * resolution.
 *
 * <p>Tokens ({@code mm_patch_merge_type = "spatial_unpad"}, {@code llava/model/llava_arch.py}): the base view's
 * {@code g²} patches, then the tiles' features recombined into one {@code rows·g × cols·g} map, cut by
 * {@link #unpadded} ({@code unpad_image}) and followed by one {@code image_newline} token per remaining row.
 */
public final class AnyResCropper implements CropStrategy {

    /** Registry name. */
    public static final String NAME = "llava-next-anyres";

    private final String name;
    private final int size;
    private final List<int[]> pinpoints;

    private AnyResCropper(Builder b) {
        this.name = b.name;
        this.size = b.size;
        List<int[]> p = new ArrayList<>();
        for (int[] wh : b.pinpoints != null ? b.pinpoints : defaultPinpoints(b.size)) {
            p.add(wh.clone());
        }
        this.pinpoints = List.copyOf(p);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** LLaVA-NeXT's default grid pinpoints for tiles of {@code s}: {@code s×2s, 2s×s, 2s×2s, 3s×s, s×3s}. */
    public static List<int[]> defaultPinpoints(int s) {
        return List.of(new int[] {s, 2 * s}, new int[] {2 * s, s}, new int[] {2 * s, 2 * s}, new int[] {3 * s, s},
                new int[] {s, 3 * s});
    }

    @Override
    public String name() {
        return name;
    }

    /** The tile side {@code S}. */
    public int size() {
        return size;
    }

    /** The pinpoints, each {@code {width, height}} (copies). */
    public List<int[]> pinpoints() {
        List<int[]> out = new ArrayList<>();
        for (int[] p : pinpoints) {
            out.add(p.clone());
        }
        return out;
    }

    /** {@code select_best_resolution}: the chosen pinpoint {@code {width, height}} for a {@code w × h} image. */
    public int[] bestResolution(int w, int h) {
        int[] best = null;
        long maxEffective = 0;
        long minWasted = Long.MAX_VALUE;
        for (int[] p : pinpoints) {
            double scale = Math.min((double) p[0] / w, (double) p[1] / h);
            long dw = (long) (w * scale);
            long dh = (long) (h * scale);
            long effective = Math.min(dw * dh, (long) w * h);
            long wasted = (long) p[0] * p[1] - effective;
            if (effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
                maxEffective = effective;
                minWasted = wasted;
                best = p;
            }
        }
        if (best == null) {
            throw new org.infllava.io.InvalidInputException("image " + w + "x" + h + ": no pinpoint keeps a pixel");
        }
        return best.clone();
    }

    /** {@code resize_and_pad_image}'s resized size {@code {w', h'}} of a {@code w × h} image in {@code target}. */
    public static int[] resizedSize(int w, int h, int[] target) {
        double scaleW = (double) target[0] / w;
        double scaleH = (double) target[1] / h;
        if (scaleW < scaleH) {
            return new int[] {target[0], (int) Math.min(Math.ceil(h * scaleW), target[1])};
        }
        return new int[] {(int) Math.min(Math.ceil(w * scaleH), target[0]), target[1]};
    }

    /**
     * The part of a token map {@link #unpad} keeps: rows {@code [top, top + rows)}, columns
     * {@code [left, left + cols)}; {@code rows} or {@code cols} is 0 when the image is so thin that
     * {@code unpad_image} keeps nothing of that side (LLaVA-NeXT then hands over only the newline tokens).
     *
     * @param top first kept row
     * @param left first kept column
     * @param rows kept rows
     * @param cols kept columns
     */
    public record Unpadded(int top, int left, int rows, int cols) {}

    /**
     * {@code unpad_image} on a {@code mapHeight × mapWidth} token map of a {@code sourceWidth × sourceHeight} image
     * ({@code llava/model/llava_arch.py}). When {@code w/h > mapW/mapH} padding was added to the height:
     * {@code s = mapW / w}, {@code h' = int(h·s)}, {@code p = ⌊(mapH − h')/2⌋}, rows {@code [p, mapH − p)};
     * otherwise columns {@code [p, mapW − p)} with {@code s = mapH / h}, {@code w' = int(w·s)},
     * {@code p = ⌊(mapW − w')/2⌋}. Every division is Python's float division, as here in {@code double}.
     */
    public static Unpadded unpadded(int sourceWidth, int sourceHeight, int mapWidth, int mapHeight) {
        double originalAspect = (double) sourceWidth / sourceHeight;
        double currentAspect = (double) mapWidth / mapHeight;
        if (originalAspect > currentAspect) {
            double scale = (double) mapWidth / sourceWidth;
            int newHeight = (int) (sourceHeight * scale);
            int padding = (mapHeight - newHeight) / 2;
            return new Unpadded(padding, 0, Math.max(0, mapHeight - 2 * padding), mapWidth);
        }
        double scale = (double) mapHeight / sourceHeight;
        int newWidth = (int) (sourceWidth * scale);
        int padding = (mapWidth - newWidth) / 2;
        return new Unpadded(0, padding, mapHeight, Math.max(0, mapWidth - 2 * padding));
    }

    /**
     * {@link #unpadded} as a box over the token map.
     *
     * @throws IllegalArgumentException when nothing of one side is kept (see {@link #unpadded})
     */
    public static PixelBox unpad(int sourceWidth, int sourceHeight, int mapWidth, int mapHeight) {
        Unpadded u = unpadded(sourceWidth, sourceHeight, mapWidth, mapHeight);
        if (u.rows() == 0 || u.cols() == 0) {
            throw new IllegalArgumentException("unpad_image keeps nothing of the " + mapWidth + "x" + mapHeight
                    + " token map of a " + sourceWidth + "x" + sourceHeight + " image");
        }
        return new PixelBox(u.left(), u.top(), u.left() + u.cols(), u.top() + u.rows());
    }

    @Override
    public ViewLayout layout(int width, int height) {
        Checks.positive(width, height);
        int[] best = bestResolution(width, height);
        int[] resized = resizedSize(width, height, best);
        int px = (best[0] - resized[0]) / 2;
        int py = (best[1] - resized[1]) / 2;
        int cols = best[0] / size;
        int rows = best[1] / size;
        List<ViewSlot> slots = new ArrayList<>();
        slots.add(new ViewSlot(ViewRole.BASE, 0, 0, PixelBox.whole(width, height)));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                // canvas x ∈ [c·S, (c+1)·S) → resized x − px → source (x − px)·w / w'
                int[] xs = SourceBoxes.span((long) c * size - px, (long) (c + 1) * size - px, 0, width, resized[0], 0,
                        width);
                int[] ys = SourceBoxes.span((long) r * size - py, (long) (r + 1) * size - py, 0, height, resized[1],
                        0, height);
                slots.add(new ViewSlot(ViewRole.TILE, r, c, SourceBoxes.box(xs, ys)));
            }
        }
        return new ViewLayout(name, width, height, size, size, slots);
    }

    @Override
    public CropViews views(BufferedImage rgb) {
        BufferedImage img = ClipPreprocessor.toRgb(rgb);
        int w = img.getWidth();
        int h = img.getHeight();
        ViewLayout layout = layout(w, h);
        int[] best = bestResolution(w, h);
        int[] resized = resizedSize(w, h, best);
        BufferedImage padded = ViewImages.pasteOn(ClipPreprocessor.resize(img, resized[0], resized[1]), best[0],
                best[1], 0x000000, (best[0] - resized[0]) / 2, (best[1] - resized[1]) / 2);
        List<BufferedImage> views = new ArrayList<>();
        views.add(ClipPreprocessor.resize(img, size, size));
        views.addAll(GridMaps.crop(padded, CropGrid.of(best[0] / size, best[1] / size, size, size),
                Perspective.LOCAL));
        return new CropViews(layout, views);
    }

    /**
     * Base patches plus the unpadded tile map with one newline per row:
     * {@code g_w·g_h + rows'·(cols' + 1)}, where {@code rows' × cols'} is {@link #unpadded} of the
     * {@code rows·g_h × cols·g_w} map.
     */
    @Override
    public FrontEndBudget budget(ViewLayout layout, EncoderSpec encoder) {
        int gw = FrontEndBudget.gridWidth(layout, encoder);
        int gh = FrontEndBudget.gridHeight(layout, encoder);
        Unpadded kept = unpadded(layout.sourceWidth(), layout.sourceHeight(), layout.gridCols(ViewRole.TILE) * gw,
                layout.gridRows(ViewRole.TILE) * gh);
        long tokens = (long) gw * gh + (long) kept.rows() * (kept.cols() + 1);
        return FrontEndBudget.forLayout(layout, encoder, tokens, 1);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name + "[size=" + size + ", pinpoints=");
        for (int[] p : pinpoints) {
            sb.append(p[0]).append('x').append(p[1]).append(' ');
        }
        return sb.toString().trim() + "]";
    }

    /** Builder: {@code setSubImageSize} is required. */
    public static final class Builder {
        private String name = NAME;
        private int size = -1;
        private List<int[]> pinpoints;

        private Builder() {}

        /** The tile side {@code S} (the encoder's resolution, e.g. 336). Required. */
        public Builder setSubImageSize(int size) {
            this.size = size;
            return this;
        }

        /**
         * The candidate resolutions, each {@code {width, height}}, multiples of {@code S}, in LLaVA-NeXT's order
         * (ties go to the first); default {@link #defaultPinpoints}.
         */
        public Builder optPinpoints(List<int[]> pinpoints) {
            this.pinpoints = pinpoints;
            return this;
        }

        /** The registry name; default {@code llava-next-anyres}. */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Validates, naming the values. */
        public AnyResCropper build() {
            Checks.subSize(size);
            if (pinpoints != null) {
                if (pinpoints.isEmpty()) {
                    throw new IllegalArgumentException("pinpoints must not be empty");
                }
                for (int[] p : pinpoints) {
                    if (p == null || p.length != 2 || p[0] < size || p[1] < size || p[0] % size != 0
                            || p[1] % size != 0) {
                        throw new IllegalArgumentException("pinpoint " + java.util.Arrays.toString(p)
                                + " must be {width, height}, positive multiples of the sub-image size " + size);
                    }
                }
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            return new AnyResCropper(this);
        }
    }
}
