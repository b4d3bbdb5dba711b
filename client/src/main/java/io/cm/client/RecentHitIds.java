package io.cm.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} {@code hit_id}s delivered. The live stream is at-least-once: after a
 * reconnect it repeats records sent shortly before the loss, and this is how they are recognised.
 * Bounded, since a stream runs for months. Used by the reading thread only.
 */
final class RecentHitIds {

    private final Map<String, Boolean> seen;

    RecentHitIds(int capacity) {
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time {@code hitId} is offered (among the last {@code capacity}), false for a repeat. */
    boolean firstTime(String hitId) {
        return seen.put(hitId, Boolean.TRUE) == null;
    }
}
