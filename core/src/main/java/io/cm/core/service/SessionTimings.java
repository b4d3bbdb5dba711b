package io.cm.core.service;

import java.time.Duration;

/**
 * {@code heartbeatInterval} (H) is what {@code Expires} promises; a session ends past
 * {@code lastHeartbeat + H + grace}. Sessions ended by another session are remembered for
 * {@code endedRetention} so that their next heartbeat learns why (409 or 410 with advice).
 */
public record SessionTimings(Duration heartbeatInterval, Duration grace, Duration endedRetention) {

    public static final SessionTimings DEFAULTS =
            new SessionTimings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(10));

    public SessionTimings {
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive");
        }
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative");
        if (endedRetention.isNegative()) throw new IllegalArgumentException("ended retention must not be negative");
    }

    long lifetimeMillis() {
        return heartbeatInterval.plus(grace).toMillis();
    }
}
