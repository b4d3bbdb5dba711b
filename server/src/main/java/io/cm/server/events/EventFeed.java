package io.cm.server.events;

import java.util.List;
import java.util.Optional;

/**
 * The log as the live streams read it: partitions of records by offset, which tenants ever had an
 * event, and the stream positions kept beside the records (as a broker keeps consumer offsets).
 * Every method is safe from any thread and never blocks on the writer.
 */
public interface EventFeed {

    int partitions();

    /** Offset of the oldest record still retained in {@code partition} ({@link #end} when none is). */
    long oldest(int partition);

    /** Offset the next event of {@code partition} gets; records below it are readable or about to be. */
    long end(int partition);

    /** Up to {@code max} records of {@code partition} from offset {@code from} on, in offset order. */
    List<EventRecord> read(int partition, long from, int max);

    /** Whether {@code tenant} ever had an event (in this log, across restarts). */
    boolean hasEvents(String tenant);

    /** Called on the log's thread whenever new records have become readable; must not block. */
    void onAppend(Runnable listener);

    Optional<StreamPosition> position(String stream);

    /** Keeps {@code position} for {@code stream}; written to disk by the log's thread shortly after. */
    void savePosition(String stream, StreamPosition position);
}
