package org.infllava.frontend;

import java.util.List;
import org.infllava.common.Registry;
import org.infllava.dem.DemPresets;

/**
 * The registry of {@link TokenAssembler}s by name, each made for an encoder width {@code d} and an LLM width
 * {@code d_llm}:
 *
 * <ul>
 *   <li>{@code identity}: one view's patches (LLaVA-1.5);</li>
 *   <li>{@code concat}: every view's patches in encoder order (Monkey);</li>
 *   <li>{@code anyres-unpad}: LLaVA-NeXT's {@code spatial_unpad} with a learned {@code image_newline} of
 *       {@code d_llm};</li>
 *   <li>{@code pixel-shuffle}: InternVL's pixel shuffle 0.5 per view, {@code 4·d};</li>
 *   <li>{@code s2}: S2's scales 1, 2, 3 pooled to the base grid and concatenated, {@code 3·d};</li>
 *   <li>{@code dem}: INF-LLaVA's DEM, the paper preset ({@link DemPresets#paper}) on a 3×3 grid — the layout's
 *       grid is used at run time; build a {@link DemAssembler} for another variant or preset.</li>
 * </ul>
 */
public final class TokenAssemblers {

    /** Makes an assembler for an encoder of width {@code encoderChannels} and an LLM of width {@code llmChannels}. */
    @FunctionalInterface
    public interface Factory {
        /** A new assembler. */
        TokenAssembler create(int encoderChannels, int llmChannels);
    }

    private static final Registry<Factory> REGISTRY = new Registry<>("token assembler");

    static {
        register(IdentityAssembler.NAME, (d, dl) -> new IdentityAssembler());
        register(ConcatAssembler.NAME, (d, dl) -> new ConcatAssembler());
        register(AnyResUnpadAssembler.NAME, (d, dl) -> new AnyResUnpadAssembler(dl));
        register(PixelShuffleAssembler.NAME, (d, dl) -> new PixelShuffleAssembler());
        register(S2Assembler.NAME, (d, dl) -> new S2Assembler());
        register(DemAssembler.NAME, (d, dl) -> new DemAssembler(DemPresets.paper(d, 3, 3)));
    }

    private TokenAssemblers() {}

    /** Registers (or replaces) an assembler factory under {@code name}. */
    public static void register(String name, Factory factory) {
        REGISTRY.register(name, () -> factory);
    }

    /** A new assembler called {@code name}; an unknown name lists the known ones. */
    public static TokenAssembler create(String name, int encoderChannels, int llmChannels) {
        return REGISTRY.get(name).create(encoderChannels, llmChannels);
    }

    /** The registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }
}
