package io.cm.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently the session client repeats a request that failed on the way or that
 * the service asked to repeat later. An attempt is repeated, until {@code maxAttempts} attempts in all:
 * <ul>
 *   <li>after a 429 or 503: once the service's {@code Retry-After} / {@code Expires} has passed (never
 *       sooner, whatever the back-off says);</li>
 *   <li>after a refused connection or a connect timeout, where the request never reached the service:
 *       after the back-off, which doubles from {@code firstBackoff} up to {@code maxBackoff} with
 *       jitter (a wait between half and all of it);</li>
 *   <li>after a lost answer or a 5xx: the same, but only for requests that are safe to repeat
 *       (heartbeats, stops, listings). <b>A start whose request may have reached the service is never
 *       sent again</b>, whatever the policy: a second start would make a second session, counted
 *       against the user's own limit.</li>
 * </ul>
 *
 * @param maxAttempts  attempts in all, the first included (1: never repeated)
 * @param firstBackoff the back-off after the first failure
 * @param maxBackoff   the longest back-off
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {

    /** Calls a user waits on (start, update, stop, listings): 4 attempts, back-off 0.5 s doubling up to 4 s. */
    public static final RetryPolicy INTERACTIVE = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(4));

    /**
     * Scheduled heartbeats, sent a few seconds before {@code Expires}: 7 attempts, back-off 1 s doubling up
     * to 8 s, about 20 to 40 s in all, which outlasts a short outage and ends near the service's default
     * grace (30 s), when retrying is moot.
     */
    public static final RetryPolicy HEARTBEAT = new RetryPolicy(7, Duration.ofSeconds(1), Duration.ofSeconds(8));

    /**
     * Checks the policy.
     *
     * @param maxAttempts  attempts in all, the first included: at least 1
     * @param firstBackoff the back-off after the first failure: positive
     * @param maxBackoff   the longest back-off: at least {@code firstBackoff}
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException     if a duration is null
     */
    public RetryPolicy {
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        if (firstBackoff.isNegative() || firstBackoff.isZero()) {
            throw new IllegalArgumentException("firstBackoff must be positive: " + firstBackoff);
        }
        if (maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than firstBackoff " + firstBackoff);
        }
    }

    /** The jittered wait after the {@code attempt}-th failure (1-based). */
    Duration backoff(int attempt) {
        Duration doubled = firstBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
        return Jitter.upTo(doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled);
    }
}
