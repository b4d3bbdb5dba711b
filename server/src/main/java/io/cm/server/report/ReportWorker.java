package io.cm.server.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.report.Granularity;
import io.cm.core.report.UsageAggregator;
import io.cm.core.report.UsageReports;
import io.cm.core.service.SessionTimings;
import io.cm.server.config.ReportSettings;
import io.cm.server.events.PositionedEvents;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Owns the usage reports on the {@code cm-reports} thread: events come through a bounded inbox,
 * either as this node appends them ({@link #accept} only enqueues; when the inbox is full the event
 * is dropped, counted in {@code cm_report_events_dropped_total} and logged, so a decision never
 * waits), or with their place in a partitioned log ({@link #event}, which waits for room: that
 * reader has a thread of its own, and its positions are saved with the figures, so a restart goes on
 * from there without counting an event twice). The report clock advances every {@value #TICK_MILLIS}
 * ms, never past the feed's {@link #watermark} while it catches up a backlog, queries ({@link #ask}) run between events in the order
 * they came, and the figures are saved to the data directory every {@value #SAVE_SECONDS} s when
 * they changed, and at {@link #close()} after every pending event is folded. A crash loses at most
 * the figures of the last {@value #SAVE_SECONDS} s; a stop loses nothing.
 */
public final class ReportWorker implements ReportSink, PositionedEvents, MeterBinder, AutoCloseable {

    private record Positioned(int partition, long offset, SessionEvent event) {
    }

    private record Watermark(long millis) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReportWorker.class);
    private static final int CAPACITY = 262_144;
    private static final long TICK_MILLIS = 200;
    private static final long SAVE_SECONDS = 30;
    /**
     * A session silent this much longer than its lifetime lost its ending (a store that lost it): it
     * stops counting. Generous, since expiry itself may run late (a restart, a store outage).
     */
    private static final Duration STALE_MARGIN = Duration.ofMinutes(15);

    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>(CAPACITY);
    private final UsageReports reports;
    private final ReportSnapshots snapshots;
    private final Clock clock;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    /** Report thread only: partition → next offset of the positioned feed, as far as folded into the figures. */
    private final Map<Integer, Long> positions;
    /** Report thread only. */
    private long watermark = Long.MAX_VALUE;
    private volatile boolean running = true;
    private volatile long late;

    private ReportWorker(UsageReports reports, Map<Integer, Long> positions, ReportSnapshots snapshots, Clock clock) {
        this.reports = reports;
        this.positions = new HashMap<>(positions);
        this.snapshots = snapshots;
        this.clock = clock;
        this.thread = new Thread(this::run, "cm-reports");
        thread.setDaemon(true);
    }

    /** Loads the figures kept in {@code dataDir} (if any) and starts the report thread. */
    public static ReportWorker start(ReportSettings settings, SessionTimings timings, Path dataDir, Clock clock) {
        Map<Granularity, Long> retention = Map.of(Granularity.MINUTE, settings.minutes().toMillis(),
                Granularity.HOUR, settings.hours().toMillis(), Granularity.DAY, settings.days().toMillis(),
                Granularity.MONTH, settings.months().toMillis());
        long staleAfter = timings.heartbeatInterval().plus(timings.grace()).plus(STALE_MARGIN).toMillis();
        ReportSnapshots snapshots = new ReportSnapshots(dataDir);
        ReportSnapshots.Snapshot snapshot = snapshots.load(retention, staleAfter)
                .orElseGet(() -> new ReportSnapshots.Snapshot(new UsageAggregator(retention, staleAfter), Map.of()));
        ReportWorker worker = new ReportWorker(new UsageReports(snapshot.aggregator(), settings.lateness().toMillis()),
                snapshot.positions(), snapshots, clock);
        worker.thread.start();
        return worker;
    }

    @Override
    public void accept(SessionEvent event) {
        if (inbox.offer(event)) return;
        long count = dropped.incrementAndGet();
        if (count == 1 || count % 10_000 == 0) {
            LOG.error("The usage report inbox is full: {} event(s) dropped from the reports so far", count);
        }
    }

    /** Where the positioned feed is to start: the positions saved with the figures (empty when none). */
    public Map<Integer, Long> positions() {
        return Map.copyOf(positions);
    }

    @Override
    public void event(int partition, long offset, SessionEvent event) throws InterruptedException {
        inbox.put(new Positioned(partition, offset, event));
    }

    @Override
    public void watermark(long millis) throws InterruptedException {
        inbox.put(new Watermark(millis));
    }

    /**
     * Runs {@code query} on the report thread once every event accepted before it is taken in and the
     * report clock has advanced to now. Completes exceptionally with {@link RejectedExecutionException}
     * when the inbox is full or the worker stopped.
     */
    public <T> CompletableFuture<T> ask(Function<UsageReports, T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                advance();
                answer.complete(query.apply(reports));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        };
        if (!running || !inbox.offer(task)) {
            answer.completeExceptionally(new RejectedExecutionException("the report thread is busy or stopped"));
        }
        return answer;
    }

    private void run() {
        long nextTick = 0;
        long nextSave = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAVE_SECONDS);
        boolean changed = false;
        while (running || !inbox.isEmpty()) {
            try {
                Object next = inbox.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                if (next instanceof SessionEvent event) {
                    reports.add(event);
                    changed = true;
                } else if (next instanceof Positioned positioned) {
                    reports.add(positioned.event());
                    positions.put(positioned.partition(), positioned.offset() + 1);
                    changed = true;
                } else if (next instanceof Watermark mark) {
                    watermark = mark.millis();
                } else if (next instanceof Runnable task) {
                    task.run();
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    advance();
                    late = reports.late();
                    nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
                }
                if (changed && now - nextSave >= 0) {
                    save();
                    changed = false;
                    nextSave = now + TimeUnit.SECONDS.toNanos(SAVE_SECONDS);
                }
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException e) {
                LOG.error("Usage reports: an event or query failed; going on", e);
            }
        }
        reports.flush();
        save();
    }

    private void advance() {
        reports.advance(Math.min(clock.millis(), watermark));
    }

    private void save() {
        try {
            snapshots.save(reports.aggregator(), positions);
        } catch (IOException e) {
            LOG.error("Could not save the usage report figures; the next save retries: {}", e.toString());
        }
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        FunctionCounter.builder("cm_report_events_dropped", dropped, AtomicLong::get)
                .description("Events left out of the usage reports because their inbox was full").register(meters);
        Gauge.builder("cm_report_events_late", this, worker -> worker.late)
                .description("Events that reached the usage reports after their lateness allowance").register(meters);
        Gauge.builder("cm_report_inbox_depth", inbox, LinkedBlockingQueue::size)
                .description("Events and queries waiting for the report thread").register(meters);
    }

    /** Folds what is pending, saves the figures, and stops the report thread (waits for it). */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) LOG.warn("The report thread did not stop within 30 s; figures since the last save are lost");
    }
}
