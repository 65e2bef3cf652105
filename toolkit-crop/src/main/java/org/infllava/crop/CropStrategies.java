package org.infllava.crop;

import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.infllava.common.Registry;

/**
 * The registry of {@link CropStrategy} implementations, by name. Every entry is built for a sub-image (view) size
 * {@code S}: {@link #get(String)} uses {@value #DEFAULT_SUB_SIZE} (CLIP-ViT-L/14-336), {@link #get(String, int)}
 * another.
 *
 * <ul>
 *   <li>{@code inf-dcm}: INF-LLaVA's Dual-perspective Cropping Module as published — 3×3 grid ({@code 3S} canvas),
 *       both perspectives, the low-resolution view; {@link ResizePolicy#PAD_TO_SQUARE} as the stage-2 recipe.</li>
 *   <li>{@code inf-dcm-auto}: the same with the grid chosen by eq. (9)-(10) from the image size (at most 3×3,
 *       {@link ResizePolicy#GRID_FIT}).</li>
 *   <li>{@code llava-1.5}: {@link PaddedSquareCropper} — one view of the image padded to a square with
 *       (122, 116, 104); the baseline.</li>
 *   <li>{@code llava-next-anyres}: {@link AnyResCropper} — base view plus the tiles of the best pinpoint.</li>
 *   <li>{@code internvl-dynamic}: {@link DynamicTileCropper} — 1..12 tiles of the closest aspect ratio plus a
 *       thumbnail.</li>
 *   <li>{@code s2}: {@link MultiScaleCropper} — scales 1, 2, 3 cut into 1 + 4 + 9 tiles.</li>
 *   <li>{@code monkey}: {@link MonkeyCropper} — 2×2 windows of the image at {@code 2S} plus the whole image.</li>
 * </ul>
 * {@link #register} adds more; every entry must pass the same contract test.
 */
public final class CropStrategies {

    /** The sub-image size {@link #get(String)} builds with. */
    public static final int DEFAULT_SUB_SIZE = 336;

    private static final Registry<Entry> REGISTRY = new Registry<>("crop strategy");

    /** A registered factory: by size, or of one fixed size. */
    private record Entry(IntFunction<CropStrategy> sized, Supplier<CropStrategy> fixed) {}

    static {
        register(DualPerspectiveCropper.NAME, (IntFunction<CropStrategy>) s -> DualPerspectiveCropper.builder()
                .setSubImageSize(s).optGrid(3, 3).optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optLowResView(true)
                .build());
        register("inf-dcm-auto", (IntFunction<CropStrategy>) s -> DualPerspectiveCropper.builder().setSubImageSize(s)
                .optMaxGrid(3).optResizePolicy(ResizePolicy.GRID_FIT).optLowResView(true).optName("inf-dcm-auto")
                .build());
        register(PaddedSquareCropper.NAME,
                (IntFunction<CropStrategy>) s -> PaddedSquareCropper.builder().setSubImageSize(s).build());
        register(AnyResCropper.NAME,
                (IntFunction<CropStrategy>) s -> AnyResCropper.builder().setSubImageSize(s).build());
        register(DynamicTileCropper.NAME,
                (IntFunction<CropStrategy>) s -> DynamicTileCropper.builder().setSubImageSize(s).build());
        register(MultiScaleCropper.NAME,
                (IntFunction<CropStrategy>) s -> MultiScaleCropper.builder().setSubImageSize(s).build());
        register(MonkeyCropper.NAME,
                (IntFunction<CropStrategy>) s -> MonkeyCropper.builder().setSubImageSize(s).build());
    }

    private CropStrategies() {}

    /** Registers (or replaces) a strategy of any sub-image size under {@code name}. */
    public static void register(String name, IntFunction<CropStrategy> factory) {
        Entry e = new Entry(factory, null);
        REGISTRY.register(name, () -> e);
    }

    /**
     * Registers (or replaces) a strategy of one fixed size under {@code name}; {@link #get(String, int)} then
     * accepts only the size its views have.
     */
    public static void register(String name, Supplier<CropStrategy> factory) {
        Entry e = new Entry(null, factory);
        REGISTRY.register(name, () -> e);
    }

    /**
     * A new instance of the named strategy: {@value #DEFAULT_SUB_SIZE}-px views, or the fixed size of an entry
     * registered with a {@link Supplier}.
     */
    public static CropStrategy get(String name) {
        Entry e = REGISTRY.get(name);
        return e.fixed() != null ? e.fixed().get() : e.sized().apply(DEFAULT_SUB_SIZE);
    }

    /**
     * A new instance of the named strategy with {@code subSize}-px views.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones) or a bad size
     */
    public static CropStrategy get(String name, int subSize) {
        if (subSize < 1) {
            throw new IllegalArgumentException("sub-image size must be positive, got " + subSize);
        }
        Entry e = REGISTRY.get(name);
        if (e.sized() != null) {
            return e.sized().apply(subSize);
        }
        CropStrategy c = e.fixed().get();
        int size = c.layout(subSize, subSize).viewWidth();
        if (size != subSize) {
            throw new IllegalArgumentException("crop strategy '" + name + "' has a fixed view size " + size
                    + " and cannot make " + subSize + "-px views");
        }
        return c;
    }

    /** The registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }
}
