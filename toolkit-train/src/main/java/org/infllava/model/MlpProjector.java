package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.infllava.nn.NamedBlock;

/**
 * LLaVA's vision-language connector: {@code mlp2x_gelu} ({@code mm_projector.0} Linear, GELU, {@code mm_projector.2}
 * Linear) or {@code linear} ({@code mm_projector} Linear). Shapes: {@code (…, d_vision) → (…, d_llm)}.
 */
public final class MlpProjector extends NamedBlock {

    /** The projector types of LLaVA's {@code mm_projector_type}. */
    public enum Type {
        /** Linear, GELU, Linear. */
        MLP2X_GELU,
        /** One Linear. */
        LINEAR
    }

    private final Type type;
    private final int visionSize;
    private final Dense first;
    private final Dense second;

    /** A projector from {@code visionSize} to {@code llmSize} channels. */
    public MlpProjector(Type type, int visionSize, int llmSize) {
        if (visionSize < 1 || llmSize < 1) {
            throw new IllegalArgumentException("projector sizes must be positive, got " + visionSize + " -> " + llmSize);
        }
        this.type = type;
        this.visionSize = visionSize;
        if (type == Type.LINEAR) {
            first = dense("mm_projector", visionSize, llmSize, true);
            second = null;
        } else {
            first = dense("mm_projector.0", visionSize, llmSize, true);
            second = dense("mm_projector.2", llmSize, llmSize, true);
        }
    }

    /** The type. */
    public Type type() {
        return type;
    }

    /** LLaVA's {@code mm_projector_type} name of {@code type}. */
    public static String typeName(Type type) {
        return type == Type.LINEAR ? "linear" : "mlp2x_gelu";
    }

    /** Parses LLaVA's {@code mm_projector_type} ({@code mlp2x_gelu} or {@code linear}). */
    public static Type parseType(String s) {
        return switch (s) {
            case "mlp2x_gelu" -> Type.MLP2X_GELU;
            case "linear" -> Type.LINEAR;
            default -> throw new IllegalArgumentException("mm_projector_type must be mlp2x_gelu or linear, got " + s);
        };
    }

    /** Initialises every parameter from {@code seed}. */
    public void initialize(NDManager manager, long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        initialize(manager, DataType.FLOAT32, new Shape(1, visionSize));
    }

    /** Projects visual features to the LLM's width. */
    public NDArray project(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = first.apply(ps, x, training);
        return type == Type.LINEAR ? h : second.apply(ps, gelu(h), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(project(ps, inputs.get(0), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long out = (type == Type.LINEAR ? first : second).weight().getShape().get(0);
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }
}
