package org.infllava.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A registry of swappable parts by name (timm-style): crop strategies, fusions, poolings, DEM variants, ...
 * Names are matched case-insensitively with {@code -} and {@code _} treated alike, so {@code LINEAR_CONCAT} and
 * {@code linear-concat} find the same entry.
 *
 * @param <T> the kind of part
 */
public final class Registry<T> {

    private final String kind;
    private final Map<String, Supplier<? extends T>> entries = new LinkedHashMap<>();
    private final Map<String, String> displayNames = new LinkedHashMap<>();

    /** An empty registry of parts called {@code kind} in messages (e.g. "fusion"). */
    public Registry(String kind) {
        this.kind = kind;
    }

    /** A registry pre-filled with {@code parts}, each under {@code name.apply(part)}. */
    @SafeVarargs
    public static <T> Registry<T> of(String kind, Function<T, String> name, T... parts) {
        Registry<T> r = new Registry<>(kind);
        for (T p : parts) {
            r.register(name.apply(p), () -> p);
        }
        return r;
    }

    /** Registers (or replaces) a part. */
    public synchronized void register(String name, Supplier<? extends T> factory) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(kind + " name must not be blank");
        }
        entries.put(key(name), factory);
        displayNames.put(key(name), name);
    }

    /** The part called {@code name}; an unknown name gives an error listing the known ones. */
    public synchronized T get(String name) {
        Supplier<? extends T> f = entries.get(key(name));
        if (f == null) {
            throw new IllegalArgumentException("unknown " + kind + " '" + name + "'; registered: " + names());
        }
        return f.get();
    }

    /** Registered names, in registration order. */
    public synchronized List<String> names() {
        return List.copyOf(displayNames.values());
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
