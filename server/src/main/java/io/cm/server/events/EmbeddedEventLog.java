package io.cm.server.events;

import io.cm.core.event.EventLog;
import io.cm.core.event.SessionEvent;
import io.cm.server.config.DeliverySettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The embedded event log (the default of SPEC §4–§6): session events partitioned by visitor,
 * kept in memory and on local disk ({@link EventStore}) with retention bounded by time and count,
 * read by the live streams through {@link EventFeed}.
 *
 * <p>{@link #append} runs on the deciding thread (an event loop or a worker), so it only takes
 * the event's offset and a slot in a bounded queue, under short in-memory locks. One writer thread
 * encodes, stores and trims, and tells readers. When the queue is full the event is dropped,
 * counted in {@code cm_events_dropped_total} and logged — never silently, and never by making the
 * decision wait.
 */
public final class EmbeddedEventLog implements EventLog, EventFeed, MeterBinder, AutoCloseable {

    /** About a second of events at 100k/s: room for the writer's pauses (file writes, compaction). */
    private static final int QUEUE_CAPACITY = 1 << 17;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEventLog.class);
    private static final int BATCH = 4096;
    private static final long IDLE_POLL_MILLIS = 100;
    private static final long TIME_RETENTION_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long DROP_LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long CLOSE_TIMEOUT_MILLIS = 10_000;

    private final EventStore store;
    private final VisitorPartitioner partitioner;
    private final Clock clock;
    private final DeliverySettings settings;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    /** Per partition, the lock under which an appended event takes its offset and its queue slot. */
    private final Object[] appendLocks;
    private final AtomicLongArray assigned;
    private final AtomicLongArray oldest;
    /** Writer thread only: the offset after the last record stored, per partition. */
    private final long[] stored;
    /** Tenants that had an event: as soon as it is appended (for the stream's 503), and once stored (writer only). */
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final Set<String> storedTenants = new HashSet<>();
    private final Map<String, StreamPosition> unsavedPositions = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - DROP_LOG_PERIOD_NANOS);
    private final Thread writer;
    private volatile boolean closing;

    private EmbeddedEventLog(EventStore store, DeliverySettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        int partitions = store.partitions();
        this.partitioner = new VisitorPartitioner(partitions);
        this.appendLocks = new Object[partitions];
        this.assigned = new AtomicLongArray(partitions);
        this.oldest = new AtomicLongArray(partitions);
        this.stored = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            appendLocks[p] = new Object();
            stored[p] = store.end(p);
            assigned.set(p, stored[p]);
            oldest.set(p, store.oldest(p));
        }
        storedTenants.addAll(store.tenants());
        tenants.addAll(storedTenants);
        this.writer = Thread.ofPlatform().name("cm-event-log").daemon().unstarted(this::run);
    }

    /** Opens the log in {@code <dataDir>/events.mv} and starts its writer. */
    public static EmbeddedEventLog open(Path dataDir, DeliverySettings settings, Clock clock) {
        EmbeddedEventLog log = new EmbeddedEventLog(EventStore.open(dataDir, settings.partitions()), settings, clock);
        log.writer.start();
        return log;
    }

    @Override
    public void bindTo(MeterRegistry metrics) {
        FunctionCounter.builder("cm_events_appended", written, AtomicLong::get)
                .description("Session events stored in the event log").register(metrics);
        FunctionCounter.builder("cm_events_dropped", dropped, AtomicLong::get)
                .description("Session events lost: the event log's queue was full, or a write failed").register(metrics);
        Gauge.builder("cm_events_queue_depth", queue, BlockingQueue::size)
                .description("Session events waiting for the event log's writer").register(metrics);
    }

    @Override
    public void append(SessionEvent event) {
        int partition = partitioner.partition(event.idp(), event.subject());
        boolean queued;
        synchronized (appendLocks[partition]) {
            // Taking the offset with the queue slot keeps queue order equal to offset order within a
            // partition, and makes end() count the events still queued: a connection that starts
            // "at the end" does not get events appended before it.
            long offset = assigned.get(partition);
            queued = !closing && queue.offer(new Pending(partition, offset, event));
            if (queued) assigned.set(partition, offset + 1);
        }
        if (queued) {
            tenants.add(event.tenant());
        } else {
            lost(event, closing ? "the event log is closed" : "the event log's queue is full");
        }
    }

    private void lost(SessionEvent event, String why) {
        long count = dropped.incrementAndGet();
        long now = System.nanoTime();
        long last = lastDropLog.get();
        if (now - last >= DROP_LOG_PERIOD_NANOS && lastDropLog.compareAndSet(last, now)) {
            LOG.error("Session event {} ({} of {}/{}) not logged: {}; {} events lost so far",
                    event.hitId(), event.type().wireName(), event.idp(), event.subject(), why, count);
        }
    }

    @Override
    public int partitions() {
        return stored.length;
    }

    @Override
    public long oldest(int partition) {
        return oldest.get(partition);
    }

    @Override
    public long end(int partition) {
        return assigned.get(partition);
    }

    @Override
    public List<EventRecord> read(int partition, long from, int max) {
        return store.read(partition, from, max);
    }

    @Override
    public boolean hasEvents(String tenant) {
        return tenants.contains(tenant);
    }

    @Override
    public void onAppend(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<StreamPosition> position(String stream) {
        // The writer stores a position before forgetting it here, so one of the two always has the latest.
        StreamPosition unsaved = unsavedPositions.get(stream);
        return unsaved != null ? Optional.of(unsaved) : store.position(stream);
    }

    @Override
    public void savePosition(String stream, StreamPosition position) {
        unsavedPositions.put(stream, position);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(BATCH);
        long lastTimeRetention = System.nanoTime();
        while (true) {
            boolean last = closing;
            try {
                Pending first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    write(batch);
                    batch.clear();
                    listeners.forEach(Runnable::run);
                }
                savePositions();
                if (System.nanoTime() - lastTimeRetention >= TIME_RETENTION_PERIOD_NANOS) {
                    lastTimeRetention = System.nanoTime();
                    trimByTime();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A failed file or a bug must not stop the log; lost offsets show up to readers as a gap.
                LOG.error("Event log writer failed; {} events of this batch are lost", batch.size(), e);
                dropped.addAndGet(batch.size());
                batch.clear();
            }
            if (last && queue.isEmpty()) return;
        }
    }

    private void write(List<Pending> batch) {
        boolean[] touched = new boolean[stored.length];
        for (Pending pending : batch) {
            SessionEvent event = pending.event();
            store.put(pending.partition(), pending.offset(),
                    RecordCodec.encode(event.timestamp(), event.tenant(), EventJson.encode(event)));
            stored[pending.partition()] = pending.offset() + 1;
            touched[pending.partition()] = true;
            if (storedTenants.add(event.tenant())) store.addTenant(event.tenant());
        }
        written.addAndGet(batch.size());
        for (int p = 0; p < touched.length; p++) {
            if (!touched[p]) continue;
            store.saveEnd(p, stored[p]);
            trimByCount(p);
        }
    }

    private void trimByCount(int partition) {
        long keepFrom = stored[partition] - settings.retentionPerPartition();
        long from = oldest.get(partition);
        for (long offset = from; offset < keepFrom; offset++) store.remove(partition, offset);
        if (keepFrom > from) oldest.set(partition, keepFrom);
    }

    private void trimByTime() {
        long cutoff = clock.millis() - settings.retentionTime().toMillis();
        for (int p = 0; p < stored.length; p++) {
            long offset = oldest.get(p);
            while (offset < stored[p]) {
                Optional<Long> timestamp = store.timestamp(p, offset);
                if (timestamp.isPresent() && timestamp.get() >= cutoff) break;
                store.remove(p, offset);
                offset++;
            }
            oldest.set(p, offset);
        }
    }

    private void savePositions() {
        for (Map.Entry<String, StreamPosition> entry : unsavedPositions.entrySet()) {
            store.savePosition(entry.getKey(), entry.getValue());
            // Only if no newer position arrived meanwhile; a newer one is saved on the next round.
            unsavedPositions.remove(entry.getKey(), entry.getValue());
        }
    }

    /** Stores what is queued and the last positions, then closes the file. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(CLOSE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) LOG.error("Event log writer did not finish within {} ms", CLOSE_TIMEOUT_MILLIS);
        savePositions();
        store.close();
    }

    private record Pending(int partition, long offset, SessionEvent event) {
    }
}
