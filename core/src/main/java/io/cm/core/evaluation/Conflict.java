package io.cm.core.evaluation;

import java.util.Map;

/** A counted session the user could stop to resolve a rule violation. */
public record Conflict(String sessionId, String terminationCode, String applicationId, String applicationName,
                       long startTime, Map<String, String> metadata) {
    public Conflict {
        metadata = Map.copyOf(metadata);
    }
}
