package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Monkey's front-end ({@code monkey}): {@code n × n} windows (default 2 × 2) of {@code S × S} over the image resized
 * to {@code n·S × n·S}, row-major, then the whole image at {@code S × S} last.
 *
 * <p>Source: github.com/Yuliang-Liu/Monkey, {@code monkey_model/visual.py}: {@code image_transform} is torchvision's
 * {@code Resize((896, 896), BICUBIC)} on the PIL image (Pillow's bicubic) then normalisation; {@code encode} cuts
 * {@code sliding_window(images, window_size=(448, 448), stride=448)} (rows outer, columns inner) and makes the global
 * view {@code F.interpolate(images, size=(448, 448), mode='bicubic')}; {@code monkey_model/modeling_monkey.py}
 * encodes the windows in that order, then the global view, and concatenates the features
 * ({@code torch.cat([local_feat, global_feat], dim=1)}).
 *
 * <p><b>Resampling difference.</b> The windows are exactly Monkey's (Pillow bicubic to {@code n·S}, then cut). The
 * published global view is torch's bicubic {@code interpolate} (no antialiasing) of the normalised {@code n·S}
 * tensor; here it is the source resized with Pillow's bicubic straight to {@code S × S}, the one image path all
 * front-ends share.
 *
 * <p>Layout: {@link ViewRole#TILE} {@code (row, col)} with the source box each window covers, then
 * {@link ViewRole#THUMBNAIL} (the whole image, box the whole source). Tokens: concatenated,
 * {@code (n² + 1)·g²} (Monkey's own per-window resampler is not part of this front-end).
 */
public final class MonkeyCropper implements CropStrategy {

    /** Registry name. */
    public static final String NAME = "monkey";

    private final String name;
    private final int size;
    private final int windows;

    private MonkeyCropper(Builder b) {
        this.name = b.name;
        this.size = b.size;
        this.windows = b.windows;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** The window side {@code S}. */
    public int size() {
        return size;
    }

    /** Windows per side {@code n}. */
    public int windows() {
        return windows;
    }

    @Override
    public ViewLayout layout(int width, int height) {
        Checks.positive(width, height);
        int side = windows * size;
        List<ViewSlot> slots = new ArrayList<>();
        for (int r = 0; r < windows; r++) {
            for (int c = 0; c < windows; c++) {
                slots.add(new ViewSlot(ViewRole.TILE, r, c, SourceBoxes.scaled(c * size, r * size, (c + 1) * size,
                        (r + 1) * size, side, side, width, height)));
            }
        }
        slots.add(new ViewSlot(ViewRole.THUMBNAIL, 0, 0, PixelBox.whole(width, height)));
        return new ViewLayout(name, width, height, size, size, slots);
    }

    @Override
    public CropViews views(BufferedImage rgb) {
        BufferedImage img = ClipPreprocessor.toRgb(rgb);
        ViewLayout layout = layout(img.getWidth(), img.getHeight());
        BufferedImage resized = ClipPreprocessor.resize(img, windows * size, windows * size);
        List<BufferedImage> views = new ArrayList<>(GridMaps.crop(resized, CropGrid.of(windows, windows, size, size),
                Perspective.LOCAL));
        views.add(ClipPreprocessor.resize(img, size, size));
        return new CropViews(layout, views);
    }

    @Override
    public String toString() {
        return name + "[size=" + size + ", windows=" + windows + "x" + windows + "]";
    }

    /** Builder: {@code setSubImageSize} is required. */
    public static final class Builder {
        private String name = NAME;
        private int size = -1;
        private int windows = 2;

        private Builder() {}

        /** The window side {@code S} (Monkey: 448; the registry: 336). Required. */
        public Builder setSubImageSize(int size) {
            this.size = size;
            return this;
        }

        /** Windows per side; default 2 (Monkey's 896 = 2·448). */
        public Builder optWindows(int windows) {
            this.windows = windows;
            return this;
        }

        /** The registry name; default {@code monkey}. */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Validates, naming the values. */
        public MonkeyCropper build() {
            Checks.subSize(size);
            if (windows < 1 || (long) windows * size > Integer.MAX_VALUE / 4) {
                throw new IllegalArgumentException("windows must be at least 1, got " + windows);
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            return new MonkeyCropper(this);
        }
    }
}
