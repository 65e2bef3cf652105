package org.infllava.crop;

import java.util.List;
import java.util.function.Supplier;
import org.infllava.common.Registry;

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

    private static final Registry<CropStrategy> REGISTRY = new Registry<>("crop strategy");

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
    public static void register(String name, Supplier<CropStrategy> factory) {
        REGISTRY.register(name, factory);
    }

    /** A new instance of the named strategy. */
    public static CropStrategy get(String name) {
        return REGISTRY.get(name);
    }

    /** The registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }
}
