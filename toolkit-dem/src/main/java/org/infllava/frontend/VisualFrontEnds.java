package org.infllava.frontend;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.infllava.common.Registry;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.ResizePolicy;

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
 * {@link #create} builds the strategy for the encoder's resolution (the sub-image size {@code S}), since a front-end
 * only makes sense at the size its encoder takes.
 */
public final class VisualFrontEnds {

    /** A front-end by the registry names of its parts. */
    public record Recipe(String name, String strategy, String assembler) {}

    private static final Registry<Recipe> REGISTRY = new Registry<>("visual front-end");
    private static final Map<String, IntFunction<CropStrategy>> STRATEGIES = new LinkedHashMap<>();

    static {
        strategy(DualPerspectiveCropper.NAME, s -> DualPerspectiveCropper.builder().setSubImageSize(s).optGrid(3, 3)
                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optLowResView(true).build());
        strategy("inf-dcm-auto", s -> DualPerspectiveCropper.builder().setSubImageSize(s).optMaxGrid(3)
                .optResizePolicy(ResizePolicy.GRID_FIT).optLowResView(true).optName("inf-dcm-auto").build());
        strategy("llava-1.5", VisualFrontEnds::llava15Dcm);
        register(new Recipe("llava-1.5", "llava-1.5", IdentityAssembler.NAME));
        register(new Recipe("llava-next-anyres", "llava-next-anyres", AnyResUnpadAssembler.NAME));
        register(new Recipe("internvl-dynamic", "internvl-dynamic", PixelShuffleAssembler.NAME));
        register(new Recipe("s2", "s2", S2Assembler.NAME));
        register(new Recipe("monkey", "monkey", ConcatAssembler.NAME));
        register(new Recipe(DualPerspectiveCropper.NAME, DualPerspectiveCropper.NAME, DemAssembler.NAME));
        register(new Recipe("inf-dcm-auto", "inf-dcm-auto", DemAssembler.NAME));
    }

    private VisualFrontEnds() {}

    /**
     * LLaVA-1.5's single view as the DCM builds it (a 1×1 grid of the padded image, no perspective, the
     * low-resolution view): what models saved before front-ends used.
     */
    public static DualPerspectiveCropper llava15Dcm(int subSize) {
        return DualPerspectiveCropper.builder().setSubImageSize(subSize).optGrid(1, 1)
                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optPerspectives().optLowResView(true)
                .optName("llava-1.5").build();
    }

    /** Registers (or replaces) a front-end. */
    public static void register(Recipe recipe) {
        REGISTRY.register(recipe.name(), () -> recipe);
    }

    /** Registers (or replaces) how the crop strategy {@code name} is built for sub-images of {@code S × S}. */
    public static void strategy(String name, IntFunction<CropStrategy> atSize) {
        STRATEGIES.put(name, atSize);
    }

    /** The recipe called {@code name}; an unknown name lists the known ones. */
    public static Recipe recipe(String name) {
        return REGISTRY.get(name);
    }

    /** The crop strategy {@code name} for {@code S × S} views. */
    public static CropStrategy strategy(String name, int subSize) {
        IntFunction<CropStrategy> f = STRATEGIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown crop strategy '" + name + "' for a front-end; known: "
                    + STRATEGIES.keySet());
        }
        return f.apply(subSize);
    }

    /**
     * The front-end {@code name} for an encoder taking {@code subSize × subSize} images with features of width
     * {@code encoderChannels}, before an LLM of width {@code llmChannels}.
     */
    public static VisualFrontEnd create(String name, int subSize, int encoderChannels, int llmChannels) {
        Recipe r = recipe(name);
        return new VisualFrontEnd(r.name(), strategy(r.strategy(), subSize),
                TokenAssemblers.create(r.assembler(), encoderChannels, llmChannels), false);
    }

    /** The registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }
}
