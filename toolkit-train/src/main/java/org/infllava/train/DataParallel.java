package org.infllava.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.infllava.model.GradMode;

/**
 * Data parallelism on one node: one replica of the model's weights per device, the global batch split across them,
 * gradients summed onto the first replica (the model's own parameters), one optimizer update there, and the updated
 * weights copied to the other replicas.
 *
 * <p>The model's blocks are shared: a replica is a {@link ParameterStore} that hands each block its own copy of every
 * parameter, on its device, with its own gradient. Replica 0 is the model itself ({@link #store(int)} returns a plain
 * store for it). Because replicas are copies rather than "the parameter on device d", the same device may appear
 * twice (two replicas on the CPU: the test of equivalence with one-device training).
 *
 * <p>Loss normalisation: each replica's loss is its summed token loss divided by the supervised tokens of the whole
 * global batch, so the summed gradient is exactly the one-device gradient of the global batch's mean loss.
 *
 * <p>Host round trips: none in the reduction and the broadcast (device-to-device copies).
 */
public final class DataParallel implements AutoCloseable {

    /** One replica: its device, a manager on it (inputs are created there), and the store that substitutes weights. */
    public record Replica(Device device, NDManager manager, ParameterStore store) {}

    private final Map<String, Parameter> all;
    private final Map<String, Parameter> trainable;
    private final List<Replica> replicas = new ArrayList<>();
    private final List<Map<Parameter, NDArray>> copies = new ArrayList<>();

    /**
     * Replicas of {@code all} on {@code devices}.
     *
     * @param manager the manager of the model's parameters; its device must be {@code devices.get(0)}
     * @param all every parameter of the model by name (replicated)
     * @param trainable the ones that receive gradients (reduced and broadcast)
     * @throws IllegalArgumentException when the devices are empty or the first is not the model's
     */
    public DataParallel(NDManager manager, Map<String, Parameter> all, Map<String, Parameter> trainable,
            List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("data parallelism needs at least one device, got none");
        }
        if (!devices.get(0).equals(manager.getDevice())) {
            throw new IllegalArgumentException("the first device (" + devices.get(0) + ") must be the model's ("
                    + manager.getDevice() + "): replica 0 is the model itself");
        }
        this.all = all;
        this.trainable = trainable;
        replicas.add(new Replica(manager.getDevice(), manager, new ParameterStore(manager, false)));
        copies.add(Map.of());
        try (GradMode off = GradMode.disabled()) {
            for (Device d : devices.subList(1, devices.size())) {
                NDManager sub = manager.newSubManager(d);
                Map<Parameter, NDArray> own = new IdentityHashMap<>();
                for (Parameter p : all.values()) {
                    NDArray src = p.getArray();
                    // A copy in any case: toDevice to the same device would hand back the array itself.
                    NDArray c = src.getDevice().equals(d) ? src.duplicate() : src.toDevice(d, true);
                    c.attach(sub);
                    NDScope.unregister(c);
                    c.setRequiresGradient(trainable.containsValue(p));
                    own.put(p, c);
                }
                replicas.add(new Replica(d, sub, new CopyStore(sub, own)));
                copies.add(own);
            }
        }
    }

    /** A store handing the forward pass this replica's copies. */
    private static final class CopyStore extends ParameterStore {
        private final Map<Parameter, NDArray> own;

        CopyStore(NDManager manager, Map<Parameter, NDArray> own) {
            super(manager, false);
            this.own = own;
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            NDArray c = own.get(parameter);
            return c != null ? c : super.getValue(parameter, device, training);
        }
    }

    /** The number of replicas. */
    public int size() {
        return replicas.size();
    }

    /** Replica {@code r} (0 is the model itself). */
    public Replica replica(int r) {
        return replicas.get(r);
    }

    /** The store of replica {@code r}. */
    public ParameterStore store(int r) {
        return replicas.get(r).store();
    }

    /**
     * Splits a global batch into {@link #size()} contiguous parts whose sizes differ by at most one (the first parts
     * take the remainder); a part may be empty when the batch is smaller than the number of replicas.
     */
    public static List<int[]> split(int[] batch, int parts) {
        List<int[]> out = new ArrayList<>();
        int at = 0;
        for (int r = 0; r < parts; r++) {
            int n = batch.length / parts + (r < batch.length % parts ? 1 : 0);
            out.add(java.util.Arrays.copyOfRange(batch, at, at + n));
            at += n;
        }
        return out;
    }

    /**
     * Adds every replica's gradients to the model's own (replica 0) and zeroes them: after this the model's
     * gradients are those of the global batch. Device-to-device copies only.
     */
    public void reduceGradients() {
        try (GradMode off = GradMode.disabled()) {
            for (int r = 1; r < replicas.size(); r++) {
                Map<Parameter, NDArray> own = copies.get(r);
                for (Parameter p : trainable.values()) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray g0 = p.getArray().getGradient();
                        NDArray gr = own.get(p).getGradient();
                        g0.addi(gr.getDevice().equals(g0.getDevice()) ? gr : gr.toDevice(g0.getDevice(), true));
                        gr.subi(gr);
                    }
                }
            }
        }
    }

    /** Copies the model's trainable weights to every other replica (after an update). */
    public void broadcast() {
        broadcast(trainable);
    }

    /** Copies every weight (trainable or frozen) to the other replicas (after a checkpoint was loaded). */
    public void broadcastAll() {
        broadcast(all);
    }

    private void broadcast(Map<String, Parameter> which) {
        try (GradMode off = GradMode.disabled()) {
            for (int r = 1; r < replicas.size(); r++) {
                Map<Parameter, NDArray> own = copies.get(r);
                for (Parameter p : which.values()) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray dst = own.get(p);
                        NDArray src = p.getArray();
                        dst.set(new NDIndex("..."), src.getDevice().equals(dst.getDevice()) ? src
                                : src.toDevice(dst.getDevice(), true));
                    }
                }
            }
        }
    }

    /** Replica {@code r}'s copies by name (replica 0: the model's own arrays), for inspection in tests. */
    public Map<String, NDArray> weights(int r) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        all.forEach((k, p) -> out.put(k, r == 0 ? p.getArray() : copies.get(r).get(p)));
        return out;
    }

    @Override
    public void close() {
        for (int r = 1; r < replicas.size(); r++) {
            copies.get(r).values().forEach(NDArray::close);
            replicas.get(r).manager().close();
        }
    }
}
