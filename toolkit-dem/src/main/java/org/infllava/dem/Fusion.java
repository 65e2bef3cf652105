package org.infllava.dem;

import java.util.List;
import org.infllava.common.Registry;

/**
 * A way of fusing {@code V^glo} and {@code V^loc}, registered by name. The seven of the paper and the published code
 * are {@link StandardFusion}; {@link #register} adds more, and every entry must pass the same contract test.
 */
public interface Fusion {

    /** The registry name. */
    String name();

    /** A new fusion block for {@code channels}-channel maps; throws when the channel count does not suit it. */
    FusionBlock create(int channels);

    /** The fusion called {@code name} (case and {@code -}/{@code _} ignored). */
    static Fusion get(String name) {
        return Registries.FUSIONS.get(name);
    }

    /** Registered names. */
    static List<String> names() {
        return Registries.FUSIONS.names();
    }

    /** Registers a fusion under its name. */
    static void register(Fusion fusion) {
        Registries.FUSIONS.register(fusion.name(), () -> fusion);
    }

    /** Holder of the registry (interfaces cannot have private fields). */
    final class Registries {
        static final Registry<Fusion> FUSIONS = Registry.of("fusion", Fusion::name,
                (Fusion[]) StandardFusion.values());

        private Registries() {}
    }
}
