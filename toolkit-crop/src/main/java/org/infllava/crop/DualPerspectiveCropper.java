package org.infllava.crop;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.infllava.io.InvalidInputException;

/**
 * The Dual-perspective Cropping Module (§4.2): one image to {@code N = n_W·n_H} local sub-images (contiguous blocks,
 * eq. (9)-(13)) and {@code N} global sub-images (strided samples, eq. (14)-(17)), each {@code W_l × H_l}, plus an
 * optional low-resolution view.
 *
 * <pre>{@code
 * DualPerspectiveCropper dcm = DualPerspectiveCropper.builder()
 *         .setSubImageSize(336)          // W_l = H_l = 336 (CLIP-ViT-L/14-336)
 *         .optGrid(3, 3)                 // n_W × n_H; default: automatic, eq. (9)-(10), at most optMaxGrid
 *         .optResizePolicy(ResizePolicy.PAD_TO_SQUARE)
 *         .optLowResView(true)
 *         .build();
 * DualCrops crops = dcm.crop(ClipPreprocessor.toRgb(image));   // crops.local().get(k), k = 3·row + col
 * }</pre>
 * Sub-images are numbered row-major ({@code k = n_W·row + col}); global sub-image {@code (i, j)} is
 * {@code canvas[rows i::n_H, columns j::n_W]}. {@link GridMaps#recombineLocal} and {@link GridMaps#recombineGlobal}
 * invert both exactly.
 */
public final class DualPerspectiveCropper implements CropStrategy {

    /** Registry name of INF-LLaVA's cropping module. */
    public static final String NAME = "inf-dcm";

    private final String name;
    private final int subWidth;
    private final int subHeight;
    private final int gridColumns;
    private final int gridRows;
    private final int maxGrid;
    private final ResizePolicy policy;
    private final boolean lowResView;
    private final List<Perspective> perspectives;
    private final ClipPreprocessor preprocessor;

    private DualPerspectiveCropper(Builder b) {
        this.name = b.name;
        this.subWidth = b.subWidth;
        this.subHeight = b.subHeight;
        this.gridColumns = b.gridColumns;
        this.gridRows = b.gridRows;
        this.maxGrid = b.maxGrid;
        this.policy = b.policy;
        this.lowResView = b.lowResView;
        this.perspectives = List.copyOf(b.perspectives);
        this.preprocessor = b.preprocessor;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** The resize policy. */
    public ResizePolicy policy() {
        return policy;
    }

    /**
     * The plan for a {@code width × height} source. The grid is the fixed one when set; otherwise eq. (9)-(10),
     * {@code n = ⌊side / sub⌋}, clamped to {@code [1, maxGrid]} (for {@link ResizePolicy#NONE}: exactly
     * {@code side / sub}; for the square policies one {@code n} from the padded or cropped square side).
     *
     * @throws InvalidInputException when the policy cannot produce the grid from this size
     */
    public CropPlan plan(int width, int height) {
        if (width < 1 || height < 1) {
            throw new InvalidInputException("image size must be positive, got " + width + "x" + height);
        }
        int nW;
        int nH;
        switch (policy) {
            case NONE -> {
                if (width % subWidth != 0 || height % subHeight != 0) {
                    throw new InvalidInputException("image is " + width + "x" + height + "; with resize policy none"
                            + " each side must be an exact multiple of the sub-image size " + subWidth + "x"
                            + subHeight);
                }
                nW = width / subWidth;
                nH = height / subHeight;
                if (fixedGrid() && (nW != gridColumns || nH != gridRows)) {
                    throw new InvalidInputException("image is " + width + "x" + height + " = a " + nW + "x" + nH
                            + " grid of " + subWidth + "x" + subHeight + ", but the grid was fixed at "
                            + gridColumns + "x" + gridRows + " and resize policy none cannot resize");
                }
            }
            case TRUNCATE -> {
                if (width < subWidth || height < subHeight) {
                    throw new InvalidInputException("image is " + width + "x" + height
                            + ", smaller than one sub-image of " + subWidth + "x" + subHeight
                            + " (resize policy truncate cannot enlarge)");
                }
                nW = fixedGrid() ? gridColumns : clampGrid(width / subWidth);
                nH = fixedGrid() ? gridRows : clampGrid(height / subHeight);
                if ((long) nW * subWidth > width || (long) nH * subHeight > height) {
                    throw new InvalidInputException("image is " + width + "x" + height + ", smaller than the "
                            + nW + "x" + nH + " grid of " + subWidth + "x" + subHeight
                            + " (resize policy truncate cannot enlarge)");
                }
            }
            case PAD_TO_SQUARE, SQUARE_CENTER_CROP -> {
                int side = policy == ResizePolicy.PAD_TO_SQUARE ? Math.max(width, height) : Math.min(width, height);
                nW = fixedGrid() ? gridColumns : clampGrid(side / subWidth);
                nH = fixedGrid() ? gridRows : nW;
            }
            default -> { // GRID_FIT
                nW = fixedGrid() ? gridColumns : clampGrid(width / subWidth);
                nH = fixedGrid() ? gridRows : clampGrid(height / subHeight);
            }
        }
        return new CropPlan(width, height, CropGrid.of(nW, nH, subWidth, subHeight), policy, perspectives,
                lowResView);
    }

    /**
     * The views in encoder order: the local sub-images (row-major), the global sub-images (row-major), then the
     * low-resolution view, as {@link DualCrops#views()}.
     */
    @Override
    public ViewLayout layout(int width, int height) {
        return layoutOf(plan(width, height));
    }

    /** The {@link ViewLayout} of a plan (see {@link #layout}). */
    public ViewLayout layoutOf(CropPlan plan) {
        List<ViewSlot> slots = new ArrayList<>(plan.encoderPasses());
        for (Perspective p : plan.perspectives()) {
            for (SubImageRef r : plan.views()) {
                if (r.perspective() == p) {
                    slots.add(new ViewSlot(p == Perspective.LOCAL ? ViewRole.LOCAL : ViewRole.GLOBAL, r.row(),
                            r.col(), p == Perspective.LOCAL ? localBox(plan, r.row(), r.col()) : null));
                }
            }
        }
        if (plan.lowResView()) {
            slots.add(new ViewSlot(ViewRole.LOW_RES, 0, 0, PixelBox.whole(plan.sourceWidth(), plan.sourceHeight())));
        }
        return new ViewLayout(name, plan.sourceWidth(), plan.sourceHeight(), subWidth, subHeight, slots);
    }

    /**
     * The source pixels local sub-image {@code (row, col)} shows: its canvas block mapped back through the resize
     * policy ({@link SourceBoxes}: floor of the start, ceiling of the end), clipped to the source; {@code null} when
     * the block lies wholly in {@link ResizePolicy#PAD_TO_SQUARE}'s padding.
     */
    public PixelBox localBox(CropPlan plan, int row, int col) {
        int w = plan.sourceWidth();
        int h = plan.sourceHeight();
        int cw = plan.resizedWidth();
        int ch = plan.resizedHeight();
        long x0 = (long) col * plan.subWidth();
        long x1 = x0 + plan.subWidth();
        long y0 = (long) row * plan.subHeight();
        long y1 = y0 + plan.subHeight();
        return switch (plan.policy()) {
            case GRID_FIT -> SourceBoxes.box(SourceBoxes.span(x0, x1, 0, w, cw, 0, w),
                    SourceBoxes.span(y0, y1, 0, h, ch, 0, h));
            case PAD_TO_SQUARE -> {
                // canvas c → padded square c·side/canvas → source minus the paste offset ⌊(side − w)/2⌋
                int side = Math.max(w, h);
                yield SourceBoxes.box(SourceBoxes.span(x0, x1, 0, side, cw, (side - w) / 2, w),
                        SourceBoxes.span(y0, y1, 0, side, ch, (side - h) / 2, h));
            }
            case SQUARE_CENTER_CROP -> {
                // canvas c → resized (c + offset) → source ·w/rw, as resizeShortestEdgeAndCenterCrop
                int rw = w <= h ? cw : (int) ((long) cw * w / h);
                int rh = w <= h ? (int) ((long) cw * h / w) : cw;
                yield SourceBoxes.box(SourceBoxes.span(x0, x1, (rw - cw) / 2, w, rw, 0, w),
                        SourceBoxes.span(y0, y1, (rh - ch) / 2, h, rh, 0, h));
            }
            case TRUNCATE, NONE -> SourceBoxes.box(SourceBoxes.span(x0, x1, 0, 1, 1, 0, w),
                    SourceBoxes.span(y0, y1, 0, 1, 1, 0, h));
        };
    }

    /** As today's {@link TokenBudget}: the DEM hands the LLM one {@code g × g} map ({@code g²} tokens of {@code d}). */
    @Override
    public FrontEndBudget budget(ViewLayout layout, EncoderSpec encoder) {
        return FrontEndBudget.forLayout(layout, encoder, FrontEndBudget.patchesPerView(layout, encoder), 1);
    }

    @Override
    public CropViews views(BufferedImage rgb) {
        DualCrops crops = crop(rgb);
        return new CropViews(layoutOf(crops.plan()), crops.views());
    }

    /** Crops an RGB image (see {@link ClipPreprocessor#toRgb}) according to {@link #plan}. */
    public DualCrops crop(BufferedImage rgb) {
        CropPlan plan = plan(rgb.getWidth(), rgb.getHeight());
        BufferedImage canvas = canvas(ClipPreprocessor.toRgb(rgb), plan);
        List<BufferedImage> local = List.of();
        List<BufferedImage> global = List.of();
        for (Perspective p : plan.perspectives()) {
            List<BufferedImage> subs = GridMaps.crop(canvas, plan.grid(), p);
            if (p == Perspective.LOCAL) {
                local = subs;
            } else {
                global = subs;
            }
        }
        BufferedImage lowRes = plan.lowResView() ? ClipPreprocessor.lowResPaper(canvas, subWidth, subHeight) : null;
        return new DualCrops(plan, canvas, local, global, lowRes);
    }

    /** Applies the plan's resize policy: the source becomes the {@code n_W·W_l × n_H·H_l} canvas. */
    public BufferedImage canvas(BufferedImage rgb, CropPlan plan) {
        int w = plan.resizedWidth();
        int h = plan.resizedHeight();
        return switch (plan.policy()) {
            case GRID_FIT -> ClipPreprocessor.resize(rgb, w, h);
            case PAD_TO_SQUARE -> ClipPreprocessor.resize(preprocessor.padToSquare(rgb), w, h);
            case SQUARE_CENTER_CROP -> ClipPreprocessor.resizeShortestEdgeAndCenterCrop(rgb, w);
            case TRUNCATE -> rgb.getWidth() == w && rgb.getHeight() == h ? rgb : topLeft(rgb, w, h);
            case NONE -> rgb;
        };
    }

    private static BufferedImage topLeft(BufferedImage rgb, int w, int h) {
        int[] src = GridMaps.pixels(rgb);
        int[] dst = new int[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(src, y * rgb.getWidth(), dst, y * w, w);
        }
        return GridMaps.image(dst, w, h);
    }

    private boolean fixedGrid() {
        return gridColumns > 0;
    }

    private int clampGrid(int n) {
        return Math.max(1, Math.min(maxGrid, n));
    }

    @Override
    public String toString() {
        return name + "[sub=" + subWidth + "x" + subHeight + ", grid="
                + (fixedGrid() ? gridColumns + "x" + gridRows : "auto<=" + maxGrid) + ", policy=" + policy
                + ", perspectives=" + perspectives + ", lowRes=" + lowResView + "]";
    }

    /** Builder: {@code setSubImageSize} is required; everything else has a documented default. */
    public static final class Builder {
        private String name = NAME;
        private int subWidth = -1;
        private int subHeight = -1;
        private int gridColumns;
        private int gridRows;
        private boolean gridSet;
        private int maxGrid = 3;
        private boolean maxGridSet;
        private ResizePolicy policy = ResizePolicy.GRID_FIT;
        private boolean lowResView;
        private List<Perspective> perspectives = List.of(Perspective.LOCAL, Perspective.GLOBAL);
        private ClipPreprocessor preprocessor = ClipPreprocessor.clip();

        private Builder() {}

        /** Square sub-images of {@code size} (the encoder's resolution, e.g. 336). Required. */
        public Builder setSubImageSize(int size) {
            return setSubImageSize(size, size);
        }

        /** Sub-images of {@code width × height} ({@code W_l × H_l}). Required. */
        public Builder setSubImageSize(int width, int height) {
            this.subWidth = width;
            this.subHeight = height;
            return this;
        }

        /** A fixed grid of {@code columns × rows} ({@code n_W × n_H}); default: automatic from the image size. */
        public Builder optGrid(int columns, int rows) {
            this.gridColumns = columns;
            this.gridRows = rows;
            this.gridSet = true;
            return this;
        }

        /** The largest automatic {@code n_W} and {@code n_H}; default 3 (1008 px for 336-px sub-images). */
        public Builder optMaxGrid(int max) {
            this.maxGrid = max;
            this.maxGridSet = true;
            return this;
        }

        /** How the image becomes the canvas; default {@link ResizePolicy#GRID_FIT}. */
        public Builder optResizePolicy(ResizePolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Adds the low-resolution view (the canvas resized to one sub-image, paper §5.5); default false. */
        public Builder optLowResView(boolean lowResView) {
            this.lowResView = lowResView;
            return this;
        }

        /**
         * Which perspectives to crop, in encoder order; default both (local, global). One perspective gives the DCM
         * ablations of Tab. 6; none with the low-resolution view gives LLaVA-1.5's single view.
         */
        public Builder optPerspectives(Perspective... perspectives) {
            this.perspectives = Arrays.asList(perspectives.clone());
            return this;
        }

        /** Source of the pad colour for {@link ResizePolicy#PAD_TO_SQUARE}; default {@link ClipPreprocessor#clip()}. */
        public Builder optPreprocessor(ClipPreprocessor preprocessor) {
            this.preprocessor = preprocessor;
            return this;
        }

        /** The registry name; default {@code inf-dcm}. */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Validates every setting, naming the values in the message. */
        public DualPerspectiveCropper build() {
            if (subWidth == -1) {
                throw new IllegalArgumentException("setSubImageSize is required (e.g. 336 for CLIP-ViT-L/14-336)");
            }
            if (subWidth < 1 || subHeight < 1) {
                throw new IllegalArgumentException("sub-image size must be positive, got subWidth=" + subWidth
                        + " subHeight=" + subHeight);
            }
            if (gridSet && (gridColumns < 1 || gridRows < 1)) {
                throw new IllegalArgumentException("grid must be at least 1x1, got " + gridColumns + "x" + gridRows);
            }
            if (maxGrid < 1) {
                throw new IllegalArgumentException("maxGrid must be at least 1, got " + maxGrid);
            }
            if (gridSet && maxGridSet) {
                throw new IllegalArgumentException("optGrid(" + gridColumns + ", " + gridRows + ") and optMaxGrid("
                        + maxGrid + ") both set: a fixed grid has no maximum, choose one");
            }
            if (policy == null || perspectives == null || preprocessor == null || name == null || name.isBlank()) {
                throw new IllegalArgumentException("policy, perspectives, preprocessor and name must not be null");
            }
            if (new ArrayList<>(perspectives).stream().distinct().count() != perspectives.size()) {
                throw new IllegalArgumentException("perspectives repeat: " + perspectives);
            }
            if (perspectives.isEmpty() && !lowResView) {
                throw new IllegalArgumentException("no perspective and no low-resolution view: nothing to crop");
            }
            if (policy.square()) {
                if (gridSet && (long) gridColumns * subWidth != (long) gridRows * subHeight) {
                    throw new IllegalArgumentException("resize policy " + policy + " needs a square canvas, but grid "
                            + gridColumns + "x" + gridRows + " of " + subWidth + "x" + subHeight + " sub-images is "
                            + gridColumns * subWidth + "x" + gridRows * subHeight);
                }
                if (!gridSet && subWidth != subHeight) {
                    throw new IllegalArgumentException("resize policy " + policy + " with an automatic grid needs "
                            + "square sub-images, got " + subWidth + "x" + subHeight);
                }
            }
            if (gridSet) {
                CropGrid.of(gridColumns, gridRows, subWidth, subHeight); // canvas-size check
            }
            return new DualPerspectiveCropper(this);
        }
    }
}
