package io.cm.server.throttle;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cm.core.session.SubjectKey;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Budgets in this process's memory, as Bucket4j buckets that refill intervally, on the server's
 * clock. A bucket idle for a whole window is full again, so dropping it then (Caffeine) changes
 * nothing and keeps memory bounded by what was active within the last window.
 */
public final class LocalBudgets implements ThrottleBudgets {

    private record Key(SubjectKey subject, String budget) {
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

    private final TimeMeter time;
    private final Cache<Key, Bucket> buckets;

    public LocalBudgets(Duration window, Clock clock) {
        this.time = new ClockTimeMeter(clock);
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(window.toNanos(), TimeUnit.NANOSECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .build();
    }

    @Override
    public long tryTake(SubjectKey subject, String budget, Limit limit) {
        Bucket bucket = buckets.get(new Key(subject, budget), k -> Bucket.builder()
                .addLimit(l -> l.capacity(limit.perWindow()).refillIntervally(limit.perWindow(), limit.window()))
                .withCustomTimePrecision(time)
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) return 0;
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(probe.getNanosToWaitForRefill() + 999_999));
    }
}
