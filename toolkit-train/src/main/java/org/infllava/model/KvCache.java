package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.infllava.nn.NamedBlock;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of past positions, per decoder layer: {@code (B, kvHeads, T_past, headDim)} each, plus the key
 * padding mask of those positions {@code (B, T_past)} (1 = real token). Owned by one generation; close it (or its
 * manager) when done.
 *
 * <p>Storage is preallocated and grows by doubling; a step writes its new keys in place and attends over a view of
 * the filled part, so a decode step copies O(1) data instead of the whole cache.
 */
public final class KvCache implements AutoCloseable {

    private final List<NDArray> keys = new ArrayList<>();
    private final List<NDArray> values = new ArrayList<>();
    private final List<Long> lengths = new ArrayList<>();
    private NDArray mask;

    /** An empty cache. */
    public KvCache() {}

    /** Positions held. */
    public long length() {
        return lengths.isEmpty() ? 0 : lengths.get(0);
    }

    /** Appends a layer's new keys and values {@code (B, kvh, T, hd)} and returns views of all held ones. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        if (layer == keys.size()) {
            keys.add(allocate(k, Math.max(64, 2 * t)));
            values.add(allocate(v, Math.max(64, 2 * t)));
            lengths.add(0L);
        }
        long len = lengths.get(layer);
        if (len + t > keys.get(layer).getShape().get(2)) {
            long cap = Math.max(2 * keys.get(layer).getShape().get(2), len + t);
            keys.set(layer, grow(keys.get(layer), len, cap));
            values.set(layer, grow(values.get(layer), len, cap));
        }
        NDIndex slot = new NDIndex().addAllDim().addAllDim().addSliceDim(len, len + t);
        NamedBlock.assign(keys.get(layer), slot, k); // one slice-assignment call each
        NamedBlock.assign(values.get(layer), slot, v);
        lengths.set(layer, len + t);
        NDIndex filled = new NDIndex().addAllDim().addAllDim().addSliceDim(0, len + t);
        return new NDArray[] {NamedBlock.slice(keys.get(layer), filled), NamedBlock.slice(values.get(layer), filled)};
    }

    private static NDArray allocate(NDArray like, long capacity) {
        Shape s = like.getShape();
        NDArray buf = like.getManager().zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)), like.getDataType(),
                like.getDevice());
        ai.djl.ndarray.NDScope.unregister(buf);
        return buf;
    }

    private static NDArray grow(NDArray old, long len, long capacity) {
        NDArray bigger = allocate(old, capacity);
        NDIndex held = new NDIndex().addAllDim().addAllDim().addSliceDim(0, len);
        NamedBlock.assign(bigger, held, NamedBlock.slice(old, held));
        old.close();
        return bigger;
    }

    /**
     * Keeps the padding mask alive past an enclosing {@link ai.djl.ndarray.NDScope}; the key/value buffers are
     * never registered with a scope.
     */
    public void unregisterFromScope() {
        if (mask != null) {
            ai.djl.ndarray.NDScope.unregister(mask);
        }
    }

    /** The padding mask of all held positions, or {@code null} when none was given. */
    NDArray mask() {
        return mask;
    }

    /** Replaces the mask; the old one is not closed (the first may be the caller's own array). */
    void setMask(NDArray newMask) {
        mask = newMask;
    }

    @Override
    public void close() {
        keys.forEach(NDArray::close);
        values.forEach(NDArray::close);
        keys.clear();
        values.clear();
        lengths.clear();
        setMask(null);
    }
}
