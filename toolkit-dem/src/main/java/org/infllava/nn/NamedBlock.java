package org.infllava.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.index.full.NDIndexFullSlice;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Base of the toolkit's DJL blocks (DEM, vision tower, LLM, projector): parameters with PyTorch-style dotted names
 * ({@code linears.0.weight}) and PyTorch's default initialisation, so weights exchange with Python checkpoints by
 * name.
 *
 * <p>Parameter shapes never depend on the input, so blocks can be initialised before the first forward pass.
 */
public abstract class NamedBlock extends AbstractBlock {

    /** A Linear layer's parameters: weight {@code (out, in)} as PyTorch stores it, optional bias {@code (out)}. */
    public record Dense(Parameter weight, Parameter bias) {
        /**
         * {@code x·Wᵀ + b} over the last axis: one engine call ({@code torch.nn.functional.linear}), plus the
         * {@link LinearAdapter} registered for this weight, if any.
         */
        public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
            NDArray w = ps.getValue(weight, x.getDevice(), training);
            NDArray y = linear(x, w, bias == null ? null : ps.getValue(bias, x.getDevice(), training));
            LinearAdapter a = adapter(weight);
            return a == null ? y : y.add(a.delta(ps, x, training));
        }
    }

    /**
     * A learned addition to a Linear layer's output (LoRA): {@code y = x·Wᵀ + b + delta(x)}, for {@code x} of
     * {@code (..., in)} and a delta of {@code (..., out)}.
     */
    @FunctionalInterface
    public interface LinearAdapter {
        /** The addition to the layer's output for input {@code x}. */
        NDArray delta(ParameterStore ps, NDArray x, boolean training);
    }

    /** Adapters by the weight of the Linear layer they extend (weak keys: a dropped model frees its entries). */
    private static final Map<Parameter, LinearAdapter> ADAPTERS = Collections.synchronizedMap(new WeakHashMap<>());

    /** Whether any adapter is registered: the common case of none costs one volatile read per Linear call. */
    private static volatile boolean anyAdapter;

    /**
     * Registers {@code adapter} on the Linear layer whose weight is {@code weight} (every {@link Dense#apply} of that
     * layer then adds its delta); {@code null} removes it.
     */
    public static void setAdapter(Parameter weight, LinearAdapter adapter) {
        if (adapter == null) {
            ADAPTERS.remove(weight);
        } else {
            ADAPTERS.put(weight, adapter);
            anyAdapter = true;
        }
    }

    /** The adapter registered on the Linear layer of {@code weight}, or {@code null}. */
    public static LinearAdapter adapter(Parameter weight) {
        return anyAdapter ? ADAPTERS.get(weight) : null;
    }

    /** A LayerNorm's parameters over the last axis: weight (γ) and bias (β) of {@code (d)}. */
    public record Norm(Parameter weight, Parameter bias, float epsilon) {
        /** LayerNorm of {@code x}. */
        public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
            return layerNorm(x, ps.getValue(weight, x.getDevice(), training), ps.getValue(bias, x.getDevice(), training),
                    epsilon);
        }
    }

    /** The Linear layers made by {@link #dense}, by module name ({@code model.layers.0.self_attn.q_proj}). */
    private final Map<String, Dense> linears = new LinkedHashMap<>();

    /** PyTorch {@code nn.Linear} parameters named {@code name.weight} / {@code name.bias}, U(±1/√in) init. */
    protected Dense dense(String name, long in, long out, boolean bias) {
        float bound = (float) (1.0 / Math.sqrt(in));
        Parameter w = addParameter(Parameter.builder().setName(name + ".weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in)).optInitializer(new UniformInitializer(bound)).build());
        Parameter b = bias ? addParameter(Parameter.builder().setName(name + ".bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(out)).optInitializer(new UniformInitializer(bound)).build()) : null;
        Dense d = new Dense(w, b);
        linears.put(name, d);
        return d;
    }

    /**
     * This block's Linear layers (those made by {@link #dense}, children's included under their dotted prefix), by
     * module name: the modules a LoRA adapter can extend.
     */
    public Map<String, Dense> linearModules() {
        Map<String, Dense> out = new LinkedHashMap<>(linears);
        for (Pair<String, Block> c : getChildren()) {
            if (c.getValue() instanceof NamedBlock child) {
                String name = childName(c.getKey());
                child.linearModules().forEach((k, d) -> out.put(name.isEmpty() ? k : name + "." + k, d));
            }
        }
        return out;
    }

    /**
     * Adds {@code extra}'s parameters to this block's, under their own names (no prefix): how adapters join a
     * loaded model, so trainers, optimisers and checkpoints see them beside the base weights.
     */
    public void attachExtra(NamedBlock extra) {
        addChildBlock("", extra);
    }

    /** Removes a block added by {@link #attachExtra}; {@code false} when it was not attached. */
    public boolean detachExtra(NamedBlock extra) {
        for (Pair<String, Block> c : getChildren()) {
            if (c.getValue() == extra) {
                return children.remove(c.getKey()) != null;
            }
        }
        return false;
    }

    /** PyTorch {@code nn.LayerNorm(d)} parameters named {@code name.weight} (ones) / {@code name.bias} (zeros). */
    protected Norm layerNorm(String name, long channels) {
        return layerNorm(name, channels, 1e-5f);
    }

    /** A LayerNorm with another epsilon (CLIP's config gives one). */
    protected Norm layerNorm(String name, long channels, float epsilon) {
        Parameter w = addParameter(Parameter.builder().setName(name + ".weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(1f)).build());
        Parameter b = addParameter(Parameter.builder().setName(name + ".bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(0f)).build());
        return new Norm(w, b, epsilon);
    }

    /** A free parameter of {@code shape} filled with {@code value}. */
    protected Parameter constant(String name, Shape shape, float value) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(new ConstantInitializer(value)).build());
    }

    /**
     * A 0-dimensional tensor of {@code value} in memory PyTorch owns, of {@code like}'s type and device. Use it
     * instead of {@code x.mul(float)} wherever autograd will need the factor: DJL turns a Java number into a tensor
     * over a direct buffer and closes it after the operation, so the garbage collector can free the memory autograd
     * saved for backward (seen here: gradients of 1e24-1e33 and NaN after a collection between forward and backward).
     *
     * <p>The constant is made once per value, type and device and shared (an engine call saved per use: a vision
     * layer scales its query and its activation): it lives in a manager of its own, outside every {@link
     * ai.djl.ndarray.NDScope}, and never requires a gradient. Do not close it. Up to {@link #SCALARS_MAX} constants
     * are kept; past that each call makes a fresh one in {@code like}'s manager.
     */
    public static NDArray scalar(NDArray like, float value) {
        DataType type = like.getDataType();
        ai.djl.Device device = like.getDevice();
        ScalarKey key = new ScalarKey(Float.floatToIntBits(value), type, device);
        NDArray cached = SCALARS.get(key);
        if (cached != null && !cached.isReleased()) {
            return cached;
        }
        if (SCALARS.size() >= SCALARS_MAX) {
            return like.getManager().full(new Shape(), value, type, device);
        }
        synchronized (SCALARS) {
            cached = SCALARS.get(key);
            if (cached == null || cached.isReleased()) {
                if (scalarManager == null) {
                    scalarManager = NDManager.newBaseManager(device);
                    scalarManager.setName("NamedBlock scalars");
                }
                cached = scalarManager.full(new Shape(), value, type, device);
                ai.djl.ndarray.NDScope.unregister(cached);
                SCALARS.put(key, cached);
            }
            return cached;
        }
    }

    /** How many shared constants {@link #scalar} keeps (a training loop's loss denominators vary with the batch). */
    public static final int SCALARS_MAX = 4096;

    private record ScalarKey(int bits, DataType type, ai.djl.Device device) {}

    private static final Map<ScalarKey, NDArray> SCALARS = new java.util.concurrent.ConcurrentHashMap<>();
    private static NDManager scalarManager;

    /**
     * {@code x[index]} for an index of plain slices and integers, as a view. Up to two restricted axes with step 1 take
     * one engine call each — PyTorch's {@code narrow} for the PyTorch engine, a split otherwise — plus one squeeze for
     * integer indices: the general indexing that {@link NDArray#get(NDIndex)} reaches costs ~14 µs a call here against
     * ~2 µs for a narrow (docs/benchmarks.md), and a decode step or a vision forward of a small model slices several
     * times. Other indices (steps, empty ranges, more axes) take the engine's indexing route.
     */
    public static NDArray slice(NDArray x, NDIndex index) {
        java.util.Optional<NDIndexFullSlice> full = NDIndexFullSlice.fromIndex(index, x.getShape());
        if (full.isEmpty()) {
            return x.get(index);
        }
        NDIndexFullSlice f = full.get();
        NDArray narrowed = byNarrowing(x, f);
        return narrowed != null ? narrowed : x.getNDArrayInternal().getIndexer(x.getManager()).get(x, f);
    }

    /** {@code x[f]} by one narrowing call per restricted axis, or {@code null} where that route does not apply. */
    private static NDArray byNarrowing(NDArray x, NDIndexFullSlice f) {
        long[] min = f.getMin();
        long[] max = f.getMax();
        long[] step = f.getStep();
        long[] dims = x.getShape().getShape();
        int restricted = 0;
        for (int i = 0; i < dims.length; i++) {
            if (step[i] != 1 || min[i] >= max[i] || min[i] < 0 || max[i] > dims[i]) {
                return null;
            }
            if (min[i] > 0 || max[i] < dims[i]) {
                restricted++;
            }
        }
        int[] squeeze = f.getToSqueeze();
        if (restricted == 0 && squeeze.length == 0 || restricted > 2) {
            return null;
        }
        NDArray y = x;
        for (int i = 0; i < dims.length; i++) {
            if (min[i] == 0 && max[i] == dims[i]) {
                continue;
            }
            NDArray kept = PyTorchNarrow.applies(y) ? PyTorchNarrow.narrow(y, i, min[i], max[i])
                    : splitNarrow(y, i, min[i], max[i], dims[i]);
            if (y != x) {
                y.close(); // the previous axis's view (this one views the same memory)
            }
            y = kept;
        }
        if (squeeze.length == 0) {
            return y;
        }
        NDArray squeezed = y.squeeze(squeeze);
        if (y != x) {
            y.close();
        }
        return squeezed;
    }

    /** {@code y} restricted to {@code lo..hi-1} on {@code axis} by the engine's split, the other pieces freed. */
    private static NDArray splitNarrow(NDArray y, int axis, long lo, long hi, long dim) {
        NDList pieces = lo == 0 ? y.split(new long[] {hi}, axis)
                : hi == dim ? y.split(new long[] {lo}, axis) : y.split(new long[] {lo, hi}, axis);
        NDArray kept = pieces.get(lo == 0 ? 0 : 1);
        for (NDArray piece : pieces) {
            if (piece != kept) {
                piece.close(); // a view: its memory stays with y's, and autograd keeps what it needs
            }
        }
        return kept;
    }

    /**
     * PyTorch's {@code narrow} (one call, no pieces to free: ~2 µs against ~8 µs for a split) when the array is the
     * PyTorch engine's; loaded only when that engine is on the class path (an optional dependency of this module).
     */
    private static final class PyTorchNarrow {
        private static final boolean PRESENT = present();

        static boolean applies(NDArray y) {
            return PRESENT && Impl.is(y);
        }

        static NDArray narrow(NDArray y, int axis, long lo, long hi) {
            return Impl.narrow(y, axis, lo, hi);
        }

        private static boolean present() {
            try {
                Class.forName("ai.djl.pytorch.engine.PtNDArray", false, NamedBlock.class.getClassLoader());
                Class.forName("ai.djl.pytorch.jni.JniUtils", false, NamedBlock.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        /** Touches the engine's classes; loaded only when {@link #PRESENT}. */
        private static final class Impl {
            static boolean is(NDArray y) {
                return y instanceof ai.djl.pytorch.engine.PtNDArray;
            }

            static NDArray narrow(NDArray y, int axis, long lo, long hi) {
                return ai.djl.pytorch.jni.JniUtils.slice((ai.djl.pytorch.engine.PtNDArray) y, axis, lo, hi, 1);
            }
        }
    }

    /**
     * {@code x[index] = value} for an index of plain slices and integers: one engine call (PyTorch's slice
     * assignment), where {@link NDArray#set(NDIndex, NDArray)} takes the advanced-indexing route; other indices fall
     * back to {@code set}. In place, so not for arrays autograd records.
     */
    public static void assign(NDArray x, NDIndex index, NDArray value) {
        java.util.Optional<NDIndexFullSlice> full = NDIndexFullSlice.fromIndex(index, x.getShape());
        if (full.isPresent()) {
            x.getNDArrayInternal().getIndexer(x.getManager()).set(x, full.get(), value);
        } else {
            x.set(index, value);
        }
    }

    /**
     * {@code x·Wᵀ + b} over the last axis ({@code b} may be {@code null}): float32 goes through the engine's single
     * {@code linear} call (a matmul with the transposed weight and the bias folded in), which saves the transpose
     * and bias-add calls a small model pays per projection; other types take matmul and add.
     *
     * @param x {@code (..., in)}
     * @param w {@code (out, in)}, as PyTorch stores a Linear weight
     * @param b {@code (out)} or {@code null}
     * @return {@code (..., out)}
     */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        if (x.getDataType() == DataType.FLOAT32 && w.getDataType() == DataType.FLOAT32) {
            return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
        }
        NDArray y = x.matMul(w.transpose());
        return b == null ? y : y.add(b);
    }

    /**
     * LayerNorm over the last axis with biased variance, as {@code torch.nn.functional.layer_norm}: float32 calls the
     * engine's fused {@code layer_norm} (one call instead of seven); other types compute it from mean and variance.
     */
    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, float eps) {
        if (x.getDataType() == DataType.FLOAT32 && gamma.getDataType() == DataType.FLOAT32) {
            return x.getNDArrayInternal().layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)),
                    gamma, beta, eps).singletonOrThrow();
        }
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add(eps).sqrt()).mul(gamma).add(beta);
    }

    /** Exact GELU, {@code 0.5·x·(1 + erf(x/√2))}, as {@code torch.nn.GELU()}. */
    public static NDArray gelu(NDArray x) {
        return ai.djl.nn.Activation.gelu(x); // torch.nn.functional.gelu, approximate="none"
    }

    /** Adds every parameter of this block and its children under {@code prefix}, with dotted names. */
    protected void collectParameters(String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : getDirectParameters()) {
            out.put(prefix + p.getValue().getName(), p.getValue());
        }
        for (Pair<String, Block> c : getChildren()) {
            if (c.getValue() instanceof NamedBlock child) {
                String name = childName(c.getKey());
                child.collectParameters(name.isEmpty() ? prefix : prefix + name + ".", out);
            }
        }
    }

    /** The parameters with dotted names, in a stable order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    /** Total number of parameter values. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) {
            n += p.getShape().size();
        }
        return n;
    }

    /** DJL prefixes child names with a two-digit index ("01attention"); the dotted name drops it. */
    private static String childName(String djlName) {
        return djlName.replaceFirst("^\\d+", "");
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Pair<String, Block> c : getChildren()) {
            c.getValue().initialize(manager, dataType, inputShapes);
        }
    }

    /** Single-output helper for {@code forwardInternal}. */
    protected static NDList list(NDArray a) {
        return new NDList(a);
    }
}
