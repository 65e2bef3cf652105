package org.infllava.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.infllava.nn.NamedBlock;

/**
 * The LoRA matrices of one component (the LLM or the vision tower): for each adapted Linear layer {@code name}
 * of shape {@code (out, in)}, parameters {@code name.lora_A.weight (r, in)} and {@code name.lora_B.weight (out, r)}
 * named as the base names the layer, so that attached to the base ({@link NamedBlock#attachExtra}) they appear
 * beside its weights: {@code model.layers.0.self_attn.q_proj.lora_A.weight}.
 *
 * <p>A is initialised as PEFT does ({@code kaiming_uniform_(a=√5)}: U(±1/√in)), B with zeros, so a fresh adapter
 * changes nothing. This block is a parameter holder: the base calls each {@link Module} through
 * {@link NamedBlock.LinearAdapter}, never this block's forward.
 */
final class LoraLayers extends NamedBlock {

    /**
     * One adapted Linear layer. It holds no reference to the base layer: the adapter registry keys adapters weakly by
     * the base weight, so a dropped model frees its entries.
     *
     * @param name the module name in the base ({@code model.layers.0.self_attn.q_proj})
     * @param a {@code (r, in)}
     * @param b {@code (out, r)}
     * @param scale {@code alpha / r}
     * @param dropout dropout rate on the adapter input while training
     */
    record Module(String name, Parameter a, Parameter b, float scale, float dropout) implements LinearAdapter {

        @Override
        public NDArray delta(ParameterStore ps, NDArray x, boolean training) {
            return loraDelta(x, ps.getValue(a, x.getDevice(), training), ps.getValue(b, x.getDevice(), training),
                    scale, training ? dropout : 0f);
        }
    }

    private final Map<String, Module> modules = new LinkedHashMap<>();
    private final Map<String, Dense> targets = new LinkedHashMap<>();

    /**
     * LoRA's addition to a Linear layer's output (Hu et al. 2021, eq. 3, with PEFT's scaling):
     * {@code Δy = (alpha / r) · B A dropout(x)}, computed as {@code ((dropout(x) · Aᵀ) · Bᵀ) · scale} so the
     * {@code (out, in)} product {@code B A} is never formed.
     *
     * @param x {@code (..., in)}
     * @param a {@code (r, in)}
     * @param b {@code (out, r)}
     * @return {@code (..., out)}
     */
    static NDArray loraDelta(NDArray x, NDArray a, NDArray b, float scale, float dropout) {
        NDArray in = dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
        NDArray low = linear(in, a, null); // (..., r)
        return linear(low, b, null).mul(scalar(low, scale)); // (..., out)
    }

    /** Adds the parameters of an adapter on {@code base} (named {@code name}) of rank {@code rank}. */
    Module add(String name, Dense base, int rank, float scale, float dropout) {
        Shape w = base.weight().getShape(); // (out, in)
        long out = w.get(0);
        long in = w.get(1);
        Parameter a = addParameter(Parameter.builder().setName(name + ".lora_A.weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(rank, in)).optInitializer(new UniformInitializer((float) (1.0 / Math.sqrt(in))))
                .build());
        Parameter b = addParameter(Parameter.builder().setName(name + ".lora_B.weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, rank)).optInitializer(new ConstantInitializer(0f)).build());
        Module m = new Module(name, a, b, scale, dropout);
        modules.put(name, m);
        targets.put(name, base);
        return m;
    }

    /** The base layer adapter {@code m} extends. */
    Dense target(Module m) {
        return targets.get(m.name());
    }

    /** The adapted layers by module name. */
    Map<String, Module> modules() {
        return modules;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException("LoRA matrices are applied by the Linear layers they extend");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
