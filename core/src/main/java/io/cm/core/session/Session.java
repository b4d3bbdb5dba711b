package io.cm.core.session;

import java.util.Map;

/**
 * An active stream. Times are epoch milliseconds: a session is active while
 * {@code now <= expiresAt}, where {@code expiresAt = lastHeartbeat + H + grace}.
 */
public record Session(String id, String terminationCode, String applicationId, long startTime,
                      long lastHeartbeat, long expiresAt, Map<String, String> metadata) {
    public Session {
        metadata = Map.copyOf(metadata);
    }

    public boolean isActiveAt(long now) {
        return now <= expiresAt;
    }

    public Session heartbeat(long now, long expiresAt, Map<String, String> metadata) {
        return new Session(id, terminationCode, applicationId, startTime, now, expiresAt, metadata);
    }
}
