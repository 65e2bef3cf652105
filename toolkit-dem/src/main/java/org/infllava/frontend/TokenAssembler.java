package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.infllava.crop.ViewLayout;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;

/**
 * The second half of a visual front-end: the encoder's features of the views a {@link org.infllava.crop.CropStrategy}
 * made → the visual token sequence the projector receives.
 *
 * <p>Shapes: {@code features (V, P, d)} — one row per view of the {@link ViewLayout}, in its order, {@code P = g²}
 * patch features of a {@code g × g} patch grid ({@code g = S / patch}) — → {@code (1, T, d')} with
 * {@code d' = outputChannels(d)} and {@code T_f = featureCount(layout, g)}; {@link #toLlm} then projects them to the
 * LLM's width, {@code (1, T, d_llm)} with {@code T = tokenCount(layout, g)}. Implementations are registered by name in
 * {@link TokenAssemblers}; one contract test runs every registered front-end.
 */
public interface TokenAssembler {

    /** The registry name. */
    String name();

    /** The width {@code d'} of the tokens for an encoder of width {@code d} (4·d for pixel shuffle, 3·d for S2). */
    int outputChannels(int encoderChannels);

    /** How many features {@link #assemble} gives for {@code layout} with a {@code g × g} patch grid per view. */
    long featureCount(ViewLayout layout, int grid);

    /**
     * How many visual tokens the LLM sees: {@link #featureCount} plus any learned token {@link #toLlm} inserts after
     * the projector (LLaVA-NeXT's {@code image_newline}).
     */
    default long tokenCount(ViewLayout layout, int grid) {
        return featureCount(layout, grid);
    }

    /** The views (indices in encoder order) whose features reach the tokens; the others are ignored. */
    List<Integer> usedViews(ViewLayout layout);

    /**
     * The visual tokens of one image.
     *
     * @param features {@code (V, P, d)}, the encoder's patch features of every view of {@code layout}, in its order
     * @return {@code (1, T_f, d')}, {@code T_f = featureCount(layout, g)}
     */
    NDArray assemble(ParameterStore ps, NDArray features, ViewLayout layout, boolean training);

    /**
     * The tokens the LLM receives from {@link #assemble}'s output: the projector applied token by token, plus
     * whatever the assembler adds in the LLM's space (LLaVA-NeXT appends its learned {@code image_newline} to the
     * projected features). Default: the projector alone.
     *
     * @param assembled {@code (1, T_f, d')}
     * @param grid the side {@code g} of one view's patch grid
     * @param projector {@code (1, t, d') → (1, t, d_llm)}
     * @return {@code (1, T, d_llm)}, {@code T = tokenCount(layout, g)}
     */
    default NDArray toLlm(ParameterStore ps, NDArray assembled, ViewLayout layout, int grid,
            UnaryOperator<NDArray> projector, boolean training) {
        return projector.apply(assembled);
    }

    /**
     * The learned parameters with dotted names, as the trainer and optimiser see them (empty for parameter-free
     * assemblers).
     */
    default Map<String, Parameter> namedParameters() {
        return Map.of();
    }

    /** The prefix of the parameters' names in a checkpoint (before the {@code model.} of LLaVA checkpoints). */
    default String checkpointPrefix() {
        return "";
    }

    /** Initialises the learned parameters from {@code seed}; nothing for parameter-free assemblers. */
    default void initialize(NDManager manager, long seed) {}

    /** Every learned parameter as a host tensor under {@code checkpointPrefix() + name}. */
    default Map<String, HostTensor> export() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> out.put(checkpointPrefix() + k,
                new HostTensor(p.getArray().getShape().getShape(), p.getArray().toFloatArray())));
        return out;
    }

    /**
     * Sets every learned parameter from {@code tensors}, keyed {@code checkpointPrefix() + name} with or without a
     * {@code model.} prefix; other keys are ignored. A missing or mis-shaped tensor is an error naming the key.
     *
     * @param source the file the tensors came from, for messages
     */
    default void load(Map<String, HostTensor> tensors, Path source) {
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
            String key = checkpointPrefix() + e.getKey();
            HostTensor t = tensors.containsKey(key) ? tensors.get(key) : tensors.get("model." + key);
            long[] expected = e.getValue().getShape().getShape();
            if (t == null) {
                throw new InvalidInputException(source, "missing key '" + key + "' of the " + name()
                        + " token assembler (expected shape " + HostTensor.shapeText(expected) + ")");
            }
            if (!Arrays.equals(expected, t.shape())) {
                throw new InvalidInputException(source, "key '" + key + "': expected shape "
                        + HostTensor.shapeText(expected) + ", found " + t.shapeText());
            }
            e.getValue().getArray().set(java.nio.FloatBuffer.wrap(t.data()));
        }
    }
}
