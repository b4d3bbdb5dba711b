package io.cm.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long the live-stream client waits before connecting again (the seed: after a loss, wait about
 * 60 s so the service can see the old connection is gone; never reconnect in a tight loop).
 * <ul>
 *   <li>After a loss: the reconnect delay, plus up to 20 % jitter. With a clientId the service replaces the
 *       stale connection, so the first reconnect is immediate, but at most one per reconnect delay.</li>
 *   <li>After a refused or failed attempt: the service's {@code Retry-After} if given, else the reconnect delay
 *       doubled per consecutive failure up to 10 min; jitter on top, never below what was asked.</li>
 * </ul>
 */
final class ReconnectDelays {

    private static final double JITTER = 0.2;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    private final Duration reconnectDelay;
    private final boolean replacesStaleConnection;
    private final Clock clock;
    private Instant lastImmediate;

    ReconnectDelays(Duration reconnectDelay, boolean replacesStaleConnection, Clock clock) {
        this.reconnectDelay = reconnectDelay;
        this.replacesStaleConnection = replacesStaleConnection;
        this.clock = clock;
    }

    Duration afterLoss() {
        Instant now = clock.instant();
        if (replacesStaleConnection && (lastImmediate == null || !now.isBefore(lastImmediate.plus(reconnectDelay)))) {
            lastImmediate = now;
            return Duration.ZERO;
        }
        return Jitter.atLeast(reconnectDelay, JITTER);
    }

    /** After the {@code failures}-th attempt in a row that did not connect. */
    Duration afterFailure(int failures, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent()) return Jitter.atLeast(retryAfter.get(), JITTER);
        Duration cap = reconnectDelay.compareTo(MAX_BACKOFF) > 0 ? reconnectDelay : MAX_BACKOFF;
        Duration doubled = reconnectDelay.multipliedBy(1L << Math.min(failures - 1, 20));
        return Jitter.atLeast(doubled.compareTo(cap) > 0 ? cap : doubled, JITTER);
    }
}
