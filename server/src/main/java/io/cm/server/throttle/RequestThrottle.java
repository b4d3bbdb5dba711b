package io.cm.server.throttle;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cm.core.session.SubjectKey;
import io.cm.server.config.ThrottleSettings;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Request budgets (Bucket4j): inits per (idp, subject), heartbeats and stops per session. A budget
 * refills whole at the end of its window, so "N per window, cleared after the window" holds
 * exactly. Idle budgets are dropped after a window (Caffeine), which keeps memory bounded by
 * the subjects and sessions active within the last window.
 */
public final class RequestThrottle {

    private final ThrottleSettings settings;
    private final TimeMeter time;
    private final Cache<SubjectKey, Bucket> inits;
    private final Cache<String, Bucket> sessions;

    public RequestThrottle(ThrottleSettings settings, Clock clock) {
        this.settings = settings;
        this.time = new ClockTimeMeter(clock);
        this.inits = cache(settings, clock);
        this.sessions = cache(settings, clock);
    }

    private static <K> Cache<K, Bucket> cache(ThrottleSettings settings, Clock clock) {
        return Caffeine.newBuilder()
                .expireAfterAccess(settings.window().toNanos(), TimeUnit.NANOSECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .build();
    }

    /** Empty if the init may go ahead, else the epoch millisecond from which the next one will be accepted. */
    public OptionalLong tryInit(SubjectKey subject) {
        return consume(inits.get(subject, k -> bucket(settings.initsPerWindow())));
    }

    /** As {@link #tryInit} for a heartbeat or stop of one session. */
    public OptionalLong trySessionRequest(String sessionId) {
        return consume(sessions.get(sessionId, k -> bucket(settings.sessionRequestsPerWindow())));
    }

    private OptionalLong consume(Bucket bucket) {
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) return OptionalLong.empty();
        long waitMillis = TimeUnit.NANOSECONDS.toMillis(probe.getNanosToWaitForRefill() + 999_999);
        return OptionalLong.of(TimeUnit.NANOSECONDS.toMillis(time.currentTimeNanos()) + waitMillis);
    }

    private Bucket bucket(int perWindow) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(perWindow).refillIntervally(perWindow, settings.window()))
                .withCustomTimePrecision(time)
                .build();
    }

    private record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            return TimeUnit.MILLISECONDS.toNanos(clock.millis());
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
