package io.cm.client;

import java.time.Clock;
import java.util.Optional;

/**
 * A client's time: its clock, and the scheduler of its waits and timers — the one the caller gave, or a
 * {@link TimerScheduler} of the client's own, which {@link #close()} stops.
 */
final class Timing implements AutoCloseable {

    final Clock clock;
    final Scheduler scheduler;
    private final Optional<TimerScheduler> own;

    /** {@code given} may be null: the client then runs a timer thread named {@code threadName}. */
    Timing(Clock clock, Scheduler given, String threadName) {
        this.clock = clock;
        this.own = given == null ? Optional.of(new TimerScheduler(threadName)) : Optional.empty();
        this.scheduler = given == null ? own.get() : given;
    }

    @Override
    public void close() {
        own.ifPresent(TimerScheduler::close);
    }
}
