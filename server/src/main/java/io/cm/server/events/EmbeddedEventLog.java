package io.cm.server.events;

import io.cm.core.event.EventLog;
import io.cm.core.event.SessionEvent;
import io.cm.server.config.DeliverySettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The embedded event log (the default of SPEC §4–§6): session events partitioned by visitor, kept
 * on local disk as append-only segment files of pre-encoded records ({@link PartitionLog}), with
 * retention by time and count that deletes whole segments, read by the live streams through
 * {@link EventFeed}. Stream positions and the tenants that had events are kept beside them
 * ({@link LogDirectory}).
 *
 * <p>{@link #append} runs on the deciding thread (an event loop), so it only takes the event's
 * offset and a slot in a bounded queue, under a short in-memory lock per partition. One writer
 * thread encodes each event once (JSON and record header), writes each partition's records of a
 * burst with one write to the OS (no fsync per event: what was written survives a crash of the
 * process), trims, and tells readers. When the queue is full the event is dropped, counted in
 * {@code cm_events_dropped_total} and logged — never silently, and never by making the decision wait.
 */
public final class EmbeddedEventLog implements EventLog, EventFeed, MeterBinder, AutoCloseable {

    /** About a second of events at 100k/s: room for the writer's pauses (segment rolls, deletions). */
    private static final int QUEUE_CAPACITY = 1 << 17;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEventLog.class);
    private static final int BATCH = 4096;
    private static final long IDLE_POLL_MILLIS = 100;
    private static final long TIME_RETENTION_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_TIMEOUT_MILLIS = 10_000;
    /**
     * Retention deletes whole segments, so a partition's segment holds an eighth of what it retains
     * (by count, and by time): a partition keeps at most an eighth more than retention asks.
     */
    private static final int SEGMENTS_PER_RETENTION = 8;

    private final LogDirectory directory;
    private final PartitionLog[] logs;
    private final VisitorPartitioner partitioner;
    private final Clock clock;
    private final DeliverySettings settings;
    /** Retention by count, per partition of this log (whose partition count may differ from the configured one). */
    private final long retainedPerPartition;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    /** Per partition, the lock under which an appended event takes its offset and its queue slot. */
    private final Object[] appendLocks;
    private final AtomicLongArray assigned;
    /** Tenants that had an event: as soon as it is appended (for the stream's 503), and once stored (writer only). */
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final Map<String, byte[]> storedTenants = new HashMap<>();
    private final Map<String, StreamPosition> unsavedPositions = new ConcurrentHashMap<>();
    /** Every stream's last position, as on disk once the writer has saved it. */
    private final Map<String, StreamPosition> positions = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final EventCounters counters = new EventCounters(LOG, "the event log");
    private final Thread writer;
    private volatile boolean closing;

    private EmbeddedEventLog(LogDirectory directory, DeliverySettings settings, Clock clock) {
        this.directory = directory;
        this.settings = settings;
        this.clock = clock;
        int partitions = directory.partitions();
        this.retainedPerPartition = (settings.retentionCount() + partitions - 1) / partitions;
        int segmentRecords = (int) Math.min(Integer.MAX_VALUE / 2,
                (retainedPerPartition + SEGMENTS_PER_RETENTION - 1) / SEGMENTS_PER_RETENTION);
        long segmentMillis = Math.max(1, settings.retentionTime().toMillis() / SEGMENTS_PER_RETENTION);
        this.partitioner = new VisitorPartitioner(partitions);
        this.logs = new PartitionLog[partitions];
        this.appendLocks = new Object[partitions];
        this.assigned = new AtomicLongArray(partitions);
        for (int p = 0; p < partitions; p++) {
            logs[p] = PartitionLog.open(directory.partition(p), segmentRecords, segmentMillis);
            appendLocks[p] = new Object();
            assigned.set(p, logs[p].end());
        }
        for (String tenant : directory.tenants()) storedTenants.put(tenant, tenant.getBytes(StandardCharsets.UTF_8));
        tenants.addAll(storedTenants.keySet());
        positions.putAll(directory.positions());
        this.writer = Thread.ofPlatform().name("cm-event-log").daemon().unstarted(this::run);
    }

    /** Opens the log in {@code <dataDir>/events/} and starts its writer. */
    public static EmbeddedEventLog open(Path dataDir, DeliverySettings settings, Clock clock) {
        EmbeddedEventLog log = new EmbeddedEventLog(LogDirectory.open(dataDir, settings.partitions()), settings, clock);
        log.writer.start();
        return log;
    }

    @Override
    public void bindTo(MeterRegistry metrics) {
        counters.bindTo(metrics, queue::size);
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
            counters.lost(event.hitId(), closing ? "the event log is closed" : "its queue is full");
        }
    }

    @Override
    public int partitions() {
        return logs.length;
    }

    @Override
    public long oldest(int partition) {
        return logs[partition].oldest();
    }

    @Override
    public long end(int partition) {
        return assigned.get(partition);
    }

    @Override
    public List<EventRecord> read(int partition, long from, int max) {
        return logs[partition].read(from, max);
    }

    @Override
    public boolean hasEvents(String tenant) {
        return tenants.contains(tenant);
    }

    /** Whether the writer is running (readiness). */
    boolean writing() {
        return writer.isAlive() && !closing;
    }

    @Override
    public void onAppend(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<StreamPosition> position(String stream) {
        // The writer saves a position before forgetting it here, so one of the two always has the latest.
        StreamPosition unsaved = unsavedPositions.get(stream);
        return unsaved != null ? Optional.of(unsaved) : Optional.ofNullable(positions.get(stream));
    }

    @Override
    public void savePosition(String stream, StreamPosition position) {
        unsavedPositions.put(stream, position);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(BATCH);
        boolean[] touched = new boolean[logs.length];
        long lastTimeRetention = System.nanoTime();
        while (true) {
            boolean last = closing;
            try {
                Pending first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    write(batch, touched);
                    batch.clear();
                    listeners.forEach(Runnable::run);
                }
                savePositions();
                if (System.nanoTime() - lastTimeRetention >= TIME_RETENTION_PERIOD_NANOS) {
                    lastTimeRetention = System.nanoTime();
                    trim();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                // A failed file or a bug must not stop the log; lost offsets show up to readers as a gap.
                LOG.error("Event log writer failed; {} events of this batch may be lost", batch.size(), e);
                if (!batch.isEmpty()) counters.lost(batch.size(), batch.getFirst().event().hitId(), e.toString());
                batch.clear();
                for (PartitionLog log : logs) log.discardStaged();
            }
            if (last && queue.isEmpty()) return;
        }
    }

    private void write(List<Pending> batch, boolean[] touched) throws IOException {
        Arrays.fill(touched, false);
        for (Pending pending : batch) {
            SessionEvent event = pending.event();
            byte[] tenant = storedTenants.get(event.tenant());
            if (tenant == null) {
                directory.addTenant(event.tenant());
                tenant = event.tenant().getBytes(StandardCharsets.UTF_8);
                storedTenants.put(event.tenant(), tenant);
            }
            logs[pending.partition()].add(pending.offset(), event.timestamp(), event.type(), tenant,
                    EventJson.encode(event));
            touched[pending.partition()] = true;
        }
        long cutoff = clock.millis() - settings.retentionTime().toMillis();
        for (int p = 0; p < logs.length; p++) {
            if (!touched[p]) continue;
            logs[p].flush();
            logs[p].trim(retainedPerPartition, cutoff);
        }
        counters.stored(batch.size());
    }

    private void trim() throws IOException {
        long cutoff = clock.millis() - settings.retentionTime().toMillis();
        for (PartitionLog log : logs) log.trim(retainedPerPartition, cutoff);
    }

    private void savePositions() throws IOException {
        if (unsavedPositions.isEmpty()) return;
        Map<String, StreamPosition> saving = Map.copyOf(unsavedPositions);
        Map<String, StreamPosition> all = new HashMap<>(positions);
        all.putAll(saving);
        directory.savePositions(all);
        positions.putAll(saving);
        // Only if no newer position arrived meanwhile; a newer one is saved on the next round.
        saving.forEach(unsavedPositions::remove);
    }

    /** Stores what is queued and the last positions, then closes the files. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(CLOSE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) LOG.error("Event log writer did not finish within {} ms", CLOSE_TIMEOUT_MILLIS);
        try {
            savePositions();
            for (PartitionLog log : logs) log.close();
        } catch (IOException e) {
            LOG.error("Event log did not close cleanly", e);
        }
    }

    private record Pending(int partition, long offset, SessionEvent event) {
    }
}
