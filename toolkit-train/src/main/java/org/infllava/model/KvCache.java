package org.infllava.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of past positions, per decoder layer: {@code (B, kvHeads, T_past, headDim)} each, plus the key
 * padding mask of those positions {@code (B, T_past)} (1 = real token). Owned by one generation; close it (or its
 * manager) when done.
 */
public final class KvCache implements AutoCloseable {

    private final List<NDArray> keys = new ArrayList<>();
    private final List<NDArray> values = new ArrayList<>();
    private NDArray mask;

    /** An empty cache. */
    public KvCache() {}

    /** Positions held. */
    public long length() {
        return keys.isEmpty() ? 0 : keys.get(0).getShape().get(2);
    }

    /** Appends a layer's new keys and values and returns the full ones. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        if (layer == keys.size()) {
            keys.add(k);
            values.add(v);
        } else {
            NDArray kk = keys.get(layer).concat(k, 2);
            NDArray vv = values.get(layer).concat(v, 2);
            keys.get(layer).close();
            values.get(layer).close();
            keys.set(layer, kk);
            values.set(layer, vv);
        }
        return new NDArray[] {keys.get(layer), values.get(layer)};
    }

    /** Keeps every held array alive past an enclosing {@link ai.djl.ndarray.NDScope} (the cache outlives steps). */
    public void unregisterFromScope() {
        keys.forEach(ai.djl.ndarray.NDScope::unregister);
        values.forEach(ai.djl.ndarray.NDScope::unregister);
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
        setMask(null);
    }
}
