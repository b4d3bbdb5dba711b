package io.cm.core.session;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance of each metadata key for all sessions. Requests decode keys into new strings, and
 * the same few keys ({@code deviceId}, {@code channel}, …) come with every session: kept once, they
 * cost nothing per session. Bounded, since keys come from clients: past its bound, new keys are kept
 * as they come.
 */
public final class MetadataKeys {

    /** The process's keys, as sessions are created and restored. */
    public static final MetadataKeys SHARED = new MetadataKeys(10_000);

    private final ConcurrentHashMap<String, String> keys = new ConcurrentHashMap<>();
    private final int maxKeys;

    MetadataKeys(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** A mutable copy of {@code metadata} with its keys replaced by their shared instances. */
    public Map<String, String> shared(Map<String, String> metadata) {
        Map<String, String> shared = new HashMap<>(metadata.size() * 2);
        metadata.forEach((key, value) -> shared.put(shared(key), value));
        return shared;
    }

    String shared(String key) {
        String known = keys.get(key);
        if (known != null) return known;
        if (keys.size() >= maxKeys) return key;
        known = keys.putIfAbsent(key, key);
        return known == null ? key : known;
    }
}
