package io.cm.client;

import java.time.Duration;

/**
 * How often and how patiently a request is retried when the network fails or the service asks to
 * wait. Back-off doubles from {@code firstBackoff} up to {@code maxBackoff}, with jitter.
 */
record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {

    /** Calls a user waits on (start, update, stop, listings): a few seconds at most before an answer. */
    static final RetryPolicy INTERACTIVE = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(4));

    /**
     * Scheduled heartbeats, sent a few seconds before {@code Expires}: about 20 to 40 s of attempts,
     * which outlasts a short outage and ends near the service's default grace (30 s), when retrying is moot.
     */
    static final RetryPolicy HEARTBEAT = new RetryPolicy(7, Duration.ofSeconds(1), Duration.ofSeconds(8));

    /** The jittered wait after the {@code attempt}-th failure (1-based). */
    Duration backoff(int attempt) {
        Duration doubled = firstBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
        return Jitter.upTo(doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled);
    }
}
