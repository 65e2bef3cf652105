package org.infllava.crop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The registry of {@link CropStrategy} implementations, by name.
 *
 * <ul>
 *   <li>{@code inf-dcm}: INF-LLaVA's Dual-perspective Cropping Module as published — 336-px sub-images, a 3×3 grid
 *       (1008×1008 canvas), both perspectives, the low-resolution view; {@link ResizePolicy#PAD_TO_SQUARE} as the
 *       stage-2 recipe does.</li>
 *   <li>{@code inf-dcm-auto}: the same with the grid chosen by eq. (9)-(10) from the image size (at most 3×3,
 *       {@link ResizePolicy#GRID_FIT}).</li>
 *   <li>{@code llava-1.5}: one 336×336 view of the padded image, no cropping — the baseline.</li>
 * </ul>
 * {@link #register} adds more; every entry must pass the same contract test.
 */
public final class CropStrategies {

    private static final Map<String, Supplier<CropStrategy>> REGISTRY = new LinkedHashMap<>();

    static {
        register(DualPerspectiveCropper.NAME, () -> DualPerspectiveCropper.builder().setSubImageSize(336)
                .optGrid(3, 3).optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optLowResView(true).build());
        register("inf-dcm-auto", () -> DualPerspectiveCropper.builder().setSubImageSize(336).optMaxGrid(3)
                .optResizePolicy(ResizePolicy.GRID_FIT).optLowResView(true).optName("inf-dcm-auto").build());
        register("llava-1.5", () -> DualPerspectiveCropper.builder().setSubImageSize(336).optGrid(1, 1)
                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optPerspectives().optLowResView(true)
                .optName("llava-1.5").build());
    }

    private CropStrategies() {}

    /** Registers (or replaces) a strategy under {@code name}. */
    public static synchronized void register(String name, Supplier<CropStrategy> factory) {
        REGISTRY.put(name, factory);
    }

    /** A new instance of the named strategy. */
    public static synchronized CropStrategy get(String name) {
        Supplier<CropStrategy> f = REGISTRY.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown crop strategy '" + name + "'; registered: " + names());
        }
        return f.get();
    }

    /** The registered names, in registration order. */
    public static synchronized List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }
}
