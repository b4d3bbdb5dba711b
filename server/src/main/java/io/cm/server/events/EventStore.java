package io.cm.server.events;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The embedded log on disk, {@code <dataDir>/events.mv} (H2 MVStore): one map per partition
 * (offset → {@link RecordCodec record}), the next offset of each partition (so offsets keep growing
 * when retention has emptied a partition), the tenants that ever had an event, and the stream
 * positions. Only the log's writer thread writes; readers on any thread see committed-in-memory
 * versions without locks. MVStore writes to the file in the background about once a second (no
 * sync per event) and on {@link #close()}.
 */
final class EventStore implements AutoCloseable {

    private static final String FILE = "events.mv";
    private static final Logger LOG = LoggerFactory.getLogger(EventStore.class);
    private static final String PARTITIONS = "partitions";

    private final MVStore store;
    private final List<MVMap<Long, byte[]>> partitions;
    private final MVMap<String, Long> meta;
    private final MVMap<String, Boolean> tenants;
    private final MVMap<String, long[]> positions;

    private EventStore(MVStore store, int partitionCount) {
        this.store = store;
        this.meta = store.openMap("meta");
        this.tenants = store.openMap("tenants");
        this.positions = store.openMap("positions");
        List<MVMap<Long, byte[]>> maps = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) maps.add(store.openMap("partition-" + p));
        this.partitions = List.copyOf(maps);
    }

    /**
     * Opens (or creates) the log in {@code dataDir}. A log keeps the partition count it was created
     * with: its records and positions are placed by it. A different configured count is reported.
     */
    static EventStore open(Path dataDir, int configuredPartitions) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + dataDir, e);
        }
        MVStore store = new MVStore.Builder()
                .fileName(dataDir.resolve(FILE).toString())
                .compress()
                .backgroundExceptionHandler((thread, e) -> LOG.error("Event log background write failed", e))
                .open();
        MVMap<String, Long> meta = store.openMap("meta");
        Long existing = meta.putIfAbsent(PARTITIONS, (long) configuredPartitions);
        int count = existing == null ? configuredPartitions : existing.intValue();
        if (count != configuredPartitions) {
            LOG.warn("delivery.partitions is {} but the event log in {} was created with {}; keeping {} "
                    + "(remove {} to start a new log)", configuredPartitions, dataDir, count, count, FILE);
        }
        return new EventStore(store, count);
    }

    int partitions() {
        return partitions.size();
    }

    /** The offset after the last record ever stored in {@code partition}. */
    long end(int partition) {
        Long last = partitions.get(partition).lastKey();
        long next = meta.getOrDefault(nextKey(partition), 0L);
        return last == null ? next : Math.max(next, last + 1);
    }

    long oldest(int partition) {
        Long first = partitions.get(partition).firstKey();
        return first == null ? end(partition) : first;
    }

    void put(int partition, long offset, byte[] record) {
        partitions.get(partition).put(offset, record);
    }

    void saveEnd(int partition, long next) {
        meta.put(nextKey(partition), next);
    }

    /** Timestamp of the record at {@code offset}, empty when there is none (removed, or lost on a failed write). */
    Optional<Long> timestamp(int partition, long offset) {
        byte[] stored = partitions.get(partition).get(offset);
        return stored == null ? Optional.empty() : Optional.of(RecordCodec.timestamp(stored));
    }

    void remove(int partition, long offset) {
        partitions.get(partition).remove(offset);
    }

    List<EventRecord> read(int partition, long from, int max) {
        List<EventRecord> records = new ArrayList<>(Math.min(max, 64));
        Cursor<Long, byte[]> cursor = partitions.get(partition).cursor(from);
        while (records.size() < max && cursor.hasNext()) {
            long offset = cursor.next();
            records.add(RecordCodec.decode(offset, cursor.getValue()));
        }
        return records;
    }

    Set<String> tenants() {
        return Set.copyOf(tenants.keySet());
    }

    void addTenant(String tenant) {
        tenants.put(tenant, Boolean.TRUE);
    }

    Optional<StreamPosition> position(String stream) {
        long[] stored = positions.get(stream);
        if (stored == null) return Optional.empty();
        return Optional.of(new StreamPosition(stored[0], Arrays.stream(stored, 1, stored.length).boxed().toList()));
    }

    void savePosition(String stream, StreamPosition position) {
        long[] stored = new long[position.offsets().size() + 1];
        stored[0] = position.lastActive();
        for (int p = 0; p < position.offsets().size(); p++) stored[p + 1] = position.offsets().get(p);
        positions.put(stream, stored);
    }

    @Override
    public void close() {
        store.close();
    }

    private static String nextKey(int partition) {
        return "next." + partition;
    }
}
