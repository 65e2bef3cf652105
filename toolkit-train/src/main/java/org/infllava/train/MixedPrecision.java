package org.infllava.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.infllava.model.GradMode;

/**
 * fp16 mixed precision with fp32 master weights: the model's {@link Parameter}s keep their float32 arrays (the
 * masters, which the optimizer updates); this store hands the forward pass float16 working copies instead, and after
 * backward returns their gradients unscaled in float32. With dynamic loss scaling: the loss is multiplied by
 * {@link #scale()} before backward; a step whose gradients overflow is skipped and the scale halved; after
 * {@code growthInterval} good steps it doubles.
 *
 * <p>DJL's {@code toType} cuts autograd, so the copies are leaves of their own (refreshed from the masters after each
 * update) rather than casts inside the graph; inputs and constants are cast by the blocks to the activations' type.
 */
public final class MixedPrecision extends ParameterStore {

    private final Map<Parameter, NDArray> half = new LinkedHashMap<>();
    private final Map<String, Parameter> trainable;
    private double scale;
    private final int growthInterval;
    private int goodSteps;

    /**
     * @param all every parameter of the model by name
     * @param trainable the ones that receive gradients
     * @param initialScale starting loss scale (e.g. 1024)
     * @param growthInterval good steps before the scale doubles
     */
    public MixedPrecision(NDManager manager, Map<String, Parameter> all, Map<String, Parameter> trainable,
            double initialScale, int growthInterval) {
        super(manager, false);
        this.trainable = trainable;
        this.scale = initialScale;
        this.growthInterval = growthInterval;
        for (Parameter p : all.values()) {
            NDArray h = p.getArray().toType(DataType.FLOAT16, true);
            NDScope.unregister(h);
            h.setRequiresGradient(trainable.containsValue(p));
            half.put(p, h);
        }
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        NDArray h = half.get(parameter);
        return h != null ? h : super.getValue(parameter, device, training);
    }

    /** Restores a loss scale (from a checkpoint). */
    public void setScale(double value) {
        if (!(value >= 1)) {
            throw new IllegalArgumentException("loss scale must be >= 1, got " + value);
        }
        scale = value;
    }

    /** The current loss scale. */
    public double scale() {
        return scale;
    }

    /**
     * The float32 gradients of the trainable parameters, divided by the scale, or {@code null} when any is infinite
     * or NaN (the step must be skipped; the scale is halved). The half-precision gradients are zeroed either way.
     */
    public Map<String, NDArray> unscaledGradients() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        boolean finite = true;
        for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
            NDArray h = half.get(e.getValue());
            try (NDArray g = h.getGradient()) {
                NDArray g32 = g.toType(DataType.FLOAT32, true).div((float) scale);
                NDScope.unregister(g32);
                finite &= !(g32.isNaN().any().getBoolean() || g32.isInfinite().any().getBoolean());
                out.put(e.getKey(), g32);
                g.subi(g);
            }
        }
        if (!finite) {
            out.values().forEach(NDArray::close);
            scale = Math.max(1, scale / 2);
            goodSteps = 0;
            return null;
        }
        if (++goodSteps % growthInterval == 0) {
            scale = Math.min(65536, scale * 2);
        }
        return out;
    }

    /** Copies the updated masters into the working copies. */
    public void refresh() {
        try (GradMode off = GradMode.disabled()) {
            for (Map.Entry<Parameter, NDArray> e : half.entrySet()) {
                try (NDArray h = e.getKey().getArray().toType(DataType.FLOAT16, true)) {
                    e.getValue().set(new ai.djl.ndarray.index.NDIndex("..."), h);
                }
            }
        }
    }

}
