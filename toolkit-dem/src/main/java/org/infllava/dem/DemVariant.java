package org.infllava.dem;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.infllava.common.Registry;

/**
 * Which parts of the DEM run and how the maps combine before pooling: the full module, its Tab. 4 ablations, and the
 * DCM ablations of Tab. 6. Registered by name; {@link StandardVariant} holds the paper's.
 */
public interface DemVariant {

    /** The parts a variant may call. */
    interface Parts {
        /** {@code V^glo}, eq. (18)-(21). */
        NDArray globalEnhanced();

        /** {@code V^loc}, eq. (22)-(25). */
        NDArray localEnhanced();

        /** The fusion of {@code V^glo} and {@code V^loc}. */
        NDArray fuse(NDArray globalEnhanced, NDArray localEnhanced);
    }

    /** The registry name. */
    String name();

    /** Whether the global-perspective enhancement's attention is needed. */
    boolean usesGlobalEnhancement();

    /** Whether the local-perspective enhancement's attention is needed. */
    boolean usesLocalEnhancement();

    /** Whether a fusion block is needed. */
    boolean usesFusion();

    /**
     * The map handed to pooling.
     *
     * @param local {@code F^loc (B, H, W, d)}
     * @param global {@code F^glo (B, H, W, d)}
     * @return {@code (B, H, W, d)}
     */
    NDArray combine(Parts parts, NDArray local, NDArray global);

    /**
     * Whether {@link #combine} works token by token (so it may run on any subset of positions, with the parts and
     * maps cut the same way); {@code false} unless a variant says so.
     */
    default boolean tokenWise() {
        return false;
    }

    /**
     * Whether {@link #combine} is linear in the parts and maps, token by token (so an averaging pooling may be
     * applied to them first); {@code false} unless a variant says so. A linear variant that uses an enhancement must
     * combine the parts alone: on the pooled path it is handed {@code null} maps (pooling them would cost calls that
     * nothing reads).
     */
    default boolean linear() {
        return false;
    }

    /** The variant called {@code name}. */
    static DemVariant get(String name) {
        return Holder.REGISTRY.get(name);
    }

    /** Registered names. */
    static List<String> names() {
        return Holder.REGISTRY.names();
    }

    /** Registers a variant under its name. */
    static void register(DemVariant variant) {
        Holder.REGISTRY.register(variant.name(), () -> variant);
    }

    /** Holder of the registry. */
    final class Holder {
        static final Registry<DemVariant> REGISTRY = Registry.of("DEM variant", DemVariant::name,
                (DemVariant[]) StandardVariant.values());

        private Holder() {}
    }
}
