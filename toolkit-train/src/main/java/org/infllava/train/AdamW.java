package org.infllava.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.infllava.io.HostTensor;
import org.infllava.model.GradMode;

/**
 * AdamW with decoupled weight decay ({@code torch.optim.AdamW}): for each parameter {@code p} with gradient
 * {@code g}, at step {@code t = 1, 2, …}
 * <pre>
 *   p ← p − lr·λ·p
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
 *   p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 * </pre>
 * Updates are in place; the state is named, so it saves and restores exactly.
 */
public final class AdamW {

    private final Map<String, Parameter> params;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final Map<String, Double> lrFactors = new java.util.HashMap<>();
    private int step;

    /** An optimizer of these named parameters; state arrays live in {@code manager}. */
    public AdamW(Map<String, Parameter> params, NDManager manager, double beta1, double beta2, double eps,
            double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0)) {
            throw new IllegalArgumentException("need 0 <= beta < 1, eps > 0, weightDecay >= 0; got beta1=" + beta1
                    + " beta2=" + beta2 + " eps=" + eps + " weightDecay=" + weightDecay);
        }
        this.params = new LinkedHashMap<>(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray p = e.getValue().getArray();
            m.put(e.getKey(), keep(manager.zeros(p.getShape(), p.getDataType(), p.getDevice())));
            v.put(e.getKey(), keep(manager.zeros(p.getShape(), p.getDataType(), p.getDevice())));
        }
    }

    private static NDArray keep(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    /**
     * Gives parameter {@code name} {@code factor} times the scheduled learning rate (a parameter group with its own
     * peak, e.g. LLaVA's {@code mm_projector_lr}); weight decay follows the same rate.
     */
    public void setLrFactor(String name, double factor) {
        if (!params.containsKey(name) || !(factor > 0)) {
            throw new IllegalArgumentException("need a known parameter and factor > 0; got '" + name + "' factor "
                    + factor);
        }
        lrFactors.put(name, factor);
    }

    /** Steps taken. */
    public int stepCount() {
        return step;
    }

    /** One update with learning rate {@code lr} from the parameters' gradients, which are then zeroed. */
    public void step(double lr) {
        step(lr, null);
    }

    /**
     * One update with learning rate {@code lr}.
     *
     * @param grads gradients by name (e.g. unscaled from half-precision copies), or {@code null} for the parameters'
     *     own gradients, which are then zeroed
     */
    public void step(double lr, Map<String, NDArray> grads) {
        try (GradMode off = GradMode.disabled()) {
            update(lr, grads);
        }
    }

    private void update(double lr, Map<String, NDArray> grads) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double peak = lr;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            lr = peak * lrFactors.getOrDefault(e.getKey(), 1.0);
            NDArray p = e.getValue().getArray();
            NDArray g = grads == null ? p.getGradient() : grads.get(e.getKey());
            if (!fused(p, g, m.get(e.getKey()), v.get(e.getKey()), lr, bc1, bc2)) {
                stepByStep(p, g, m.get(e.getKey()), v.get(e.getKey()), lr, bc1, bc2);
            }
            if (grads == null) { // the parameter's own gradient: zero it for the next accumulation
                g.subi(g);
                g.close();
            }
        }
    }

    /** The update of one parameter in engine calls of the DJL API (any engine and type). */
    private void stepByStep(NDArray p, NDArray g, NDArray mm, NDArray vv, double lr, double bc1, double bc2) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            if (weightDecay > 0) {
                p.subi(p.mul((float) (lr * weightDecay)));
            }
            mm.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
            vv.muli((float) beta2).addi(g.square().mul((float) (1 - beta2)));
            NDArray denom = vv.div((float) bc2).sqrt().add((float) eps);
            p.subi(mm.div((float) bc1).div(denom).mul((float) lr));
        }
    }

    /**
     * The update of {@link #stepByStep} in one engine call for a float32 PyTorch parameter (DJL's {@code adamUpdate}:
     * decay, both moments and the step in native code, where the step-by-step form costs ~25 engine calls per
     * parameter). That kernel divides by {@code √v + ε'} with the bias corrections folded into its step size; passing
     * {@code lr·√(1−β₂ᵗ)/(1−β₁ᵗ)} and {@code ε' = ε·√(1−β₂ᵗ)} makes it {@code torch.optim.AdamW}'s
     * {@code lr·m̂/(√v̂ + ε)} exactly, up to float rounding. {@code false} (nothing done) for other engines and types.
     */
    private boolean fused(NDArray p, NDArray g, NDArray mm, NDArray vv, double lr, double bc1, double bc2) {
        if (!(p instanceof PtNDArray pp && g instanceof PtNDArray pg && mm instanceof PtNDArray pm
                && vv instanceof PtNDArray pv) || p.getDataType() != DataType.FLOAT32
                || g.getDataType() != DataType.FLOAT32) {
            return false;
        }
        double root = Math.sqrt(bc2);
        JniUtils.adamUpdate(pp, pg, pm, pv, (float) lr, (float) (lr * root / bc1), (float) weightDecay, 1f, -1f,
                (float) beta1, (float) beta2, (float) (eps * root), true);
        return true;
    }

    /** The state as named host tensors: {@code m.<name>}, {@code v.<name>}, and {@code step}. */
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("m." + k, new HostTensor(a.getShape().getShape(), a.toFloatArray())));
        v.forEach((k, a) -> out.put("v." + k, new HostTensor(a.getShape().getShape(), a.toFloatArray())));
        out.put("step", new HostTensor(new long[] {1}, new float[] {step}));
        return out;
    }

    /** Restores {@link #state()}; every key must be present with its shape. */
    public void load(Map<String, HostTensor> state) {
        for (String k : params.keySet()) {
            for (String which : new String[] {"m.", "v."}) {
                HostTensor t = state.get(which + k);
                NDArray target = (which.equals("m.") ? m : v).get(k);
                if (t == null || !java.util.Arrays.equals(t.shape(), target.getShape().getShape())) {
                    throw new IllegalArgumentException("optimizer state '" + which + k + "' missing or mis-shaped");
                }
                target.set(FloatBuffer.wrap(t.data()));
            }
        }
        step = (int) state.get("step").data()[0];
    }
}
