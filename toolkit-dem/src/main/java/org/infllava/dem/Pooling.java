package org.infllava.dem;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.infllava.common.Registry;

/**
 * Reduces the fused map back to one sub-image's tokens, {@code F_pool} of eq. (7):
 * {@code (B, n_H·h, n_W·w, d) → (B, h, w, d)}. Registered by name; {@link StandardPooling} holds the paper's and the
 * published code's.
 */
public interface Pooling {

    /** The registry name. */
    String name();

    /**
     * Pools a map by the grid factor.
     *
     * @param map {@code (B, H, W, d)} with {@code H = rows·h}, {@code W = columns·w}
     * @return {@code (B, h, w, d)} (or the map itself for a pooling that keeps every token)
     */
    NDArray pool(NDArray map, int columns, int rows);

    /** Whether the output keeps the full {@code H × W} map. */
    default boolean keepsResolution() {
        return false;
    }

    /**
     * Whether the pooling is a fixed weighted average of positions: linear in the map, with weights that sum to 1 per
     * output cell (so a constant map pools to itself). Token-wise affine maps and attention's value side then commute
     * with it, and the DEM may pool before its value projection and fusion ({@code false} unless a pooling says so).
     */
    default boolean averaging() {
        return false;
    }

    /**
     * When every output cell {@code (i, j)} is exactly one input position {@code (rows·i + r, columns·j + c)} (a
     * point sample, no blending), the offsets {@code {r, c}}; otherwise {@code null} (the default). The DEM then
     * computes its token-wise stages only at those positions, with the same result.
     */
    default int[] pointSampleOffsets(int columns, int rows) {
        return null;
    }

    /** The pooling called {@code name}. */
    static Pooling get(String name) {
        return Holder.REGISTRY.get(name);
    }

    /** Registered names. */
    static List<String> names() {
        return Holder.REGISTRY.names();
    }

    /** Registers a pooling under its name. */
    static void register(Pooling pooling) {
        Holder.REGISTRY.register(pooling.name(), () -> pooling);
    }

    /** Holder of the registry. */
    final class Holder {
        static final Registry<Pooling> REGISTRY = Registry.of("pooling", Pooling::name,
                (Pooling[]) StandardPooling.values());

        private Holder() {}
    }
}
