package io.cm.core.service;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Metadata keys that, once set on a session, keep their value for the session's life. */
public final class ImmutableMetadata {

    public static final Set<String> KEYS = Set.of(
            "package", "channel", "platform", "assetId", "idp", "mvpd", "hba_status", "hba", "mobileDevice");

    private ImmutableMetadata() {
    }

    /** The first immutable key whose value {@code update} would change, if any. */
    static Optional<String> changedKey(Map<String, String> current, Map<String, String> update) {
        for (Map.Entry<String, String> e : update.entrySet()) {
            String existing = current.get(e.getKey());
            if (existing != null && KEYS.contains(e.getKey()) && !existing.equals(e.getValue())) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }
}
