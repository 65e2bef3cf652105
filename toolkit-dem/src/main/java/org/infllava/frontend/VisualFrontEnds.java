package org.infllava.frontend;

import java.util.List;
import org.infllava.common.Registry;
import org.infllava.crop.CropStrategies;
import org.infllava.crop.DualPerspectiveCropper;

/**
 * The registry of visual front-ends by name, each a pair of registry names (crop strategy, token assembler):
 *
 * <table>
 *   <caption>Registered front-ends</caption>
 *   <tr><th>front-end</th><th>crop strategy</th><th>token assembler</th></tr>
 *   <tr><td>{@code llava-1.5}</td><td>{@code llava-1.5}</td><td>{@code identity}</td></tr>
 *   <tr><td>{@code llava-next-anyres}</td><td>{@code llava-next-anyres}</td><td>{@code anyres-unpad}</td></tr>
 *   <tr><td>{@code internvl-dynamic}</td><td>{@code internvl-dynamic}</td><td>{@code pixel-shuffle}</td></tr>
 *   <tr><td>{@code s2}</td><td>{@code s2}</td><td>{@code s2}</td></tr>
 *   <tr><td>{@code monkey}</td><td>{@code monkey}</td><td>{@code concat}</td></tr>
 *   <tr><td>{@code inf-dcm}</td><td>{@code inf-dcm}</td><td>{@code dem}</td></tr>
 *   <tr><td>{@code inf-dcm-auto}</td><td>{@code inf-dcm-auto}</td><td>{@code dem}</td></tr>
 * </table>
 * {@link #create} builds the strategy for the encoder's resolution ({@link CropStrategies#get(String, int)} with the
 * sub-image size {@code S}), since a front-end only makes sense at the size its encoder takes. The crop side's
 * {@link org.infllava.crop.CropStrategy#budget} predicts each pair's visual tokens; the contract test holds the
 * assembler to it.
 */
public final class VisualFrontEnds {

    /** A front-end by the registry names of its parts. */
    public record Recipe(String name, String strategy, String assembler) {}

    private static final Registry<Recipe> REGISTRY = new Registry<>("visual front-end");

    static {
        register(new Recipe("llava-1.5", "llava-1.5", IdentityAssembler.NAME));
        register(new Recipe("llava-next-anyres", "llava-next-anyres", AnyResUnpadAssembler.NAME));
        register(new Recipe("internvl-dynamic", "internvl-dynamic", PixelShuffleAssembler.NAME));
        register(new Recipe("s2", "s2", S2Assembler.NAME));
        register(new Recipe("monkey", "monkey", ConcatAssembler.NAME));
        register(new Recipe(DualPerspectiveCropper.NAME, DualPerspectiveCropper.NAME, DemAssembler.NAME));
        register(new Recipe("inf-dcm-auto", "inf-dcm-auto", DemAssembler.NAME));
    }

    private VisualFrontEnds() {}

    /** Registers (or replaces) a front-end. */
    public static void register(Recipe recipe) {
        REGISTRY.register(recipe.name(), () -> recipe);
    }

    /** The recipe called {@code name}; an unknown name lists the known ones. */
    public static Recipe recipe(String name) {
        return REGISTRY.get(name);
    }

    /**
     * The front-end {@code name} for an encoder taking {@code subSize × subSize} images with features of width
     * {@code encoderChannels}, before an LLM of width {@code llmChannels}.
     */
    public static VisualFrontEnd create(String name, int subSize, int encoderChannels, int llmChannels) {
        Recipe r = recipe(name);
        return new VisualFrontEnd(r.name(), CropStrategies.get(r.strategy(), subSize),
                TokenAssemblers.create(r.assembler(), encoderChannels, llmChannels), false);
    }

    /** The registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }
}
