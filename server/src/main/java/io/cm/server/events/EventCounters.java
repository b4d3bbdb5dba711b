package io.cm.server.events;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every event backend reports in {@code /metrics}, under the same names whichever it is:
 * events stored ({@code cm_events_appended_total}), events lost ({@code cm_events_dropped_total};
 * each loss is also logged, at most one line per 10 s with the count so far: never silent, never
 * a flood) and events waiting ({@code cm_events_queue_depth}). Safe from any thread.
 */
public final class EventCounters {

    private static final long LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final String where;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_PERIOD_NANOS);

    /** {@code where}: the backend's store as the descriptions and log lines name it, e.g. "the event log". */
    public EventCounters(Logger log, String where) {
        this.log = log;
        this.where = where;
    }

    public void stored(long events) {
        stored.addAndGet(events);
    }

    /** One event ({@code hitId}) did not make it into {@link #where}, because {@code why}. */
    public void lost(String hitId, String why) {
        lost(1, hitId, why);
    }

    public void lost(long events, String hitId, String why) {
        long count = dropped.addAndGet(events);
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_PERIOD_NANOS && lastLog.compareAndSet(last, now)) {
            log.error("Session event {} not stored in {}: {}; {} events lost so far", hitId, where, why, count);
        }
    }

    public void bindTo(MeterRegistry metrics, Supplier<Number> waiting) {
        FunctionCounter.builder("cm_events_appended", stored, AtomicLong::get)
                .description("Session events stored in " + where).register(metrics);
        FunctionCounter.builder("cm_events_dropped", dropped, AtomicLong::get)
                .description("Session events lost on their way to " + where + " (a full queue, a failed write)")
                .register(metrics);
        Gauge.builder("cm_events_queue_depth", waiting).description("Session events waiting to be stored in " + where)
                .register(metrics);
    }
}
