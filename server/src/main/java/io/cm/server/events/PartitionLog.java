package io.cm.server.events;

import io.cm.core.event.SessionEventType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The records of one partition: a directory of {@link Segment}s, oldest first, the last one being
 * appended to. A segment rolls when it holds {@code segmentRecords} records, reaches
 * {@link #MAX_SEGMENT_BYTES}, or spans {@code segmentMillis} of event time; retention deletes
 * whole segments from the oldest on.
 *
 * <p>The log's writer thread stages records ({@link #add}) and writes them with one write per
 * segment ({@link #flush}); readers on any thread see the segment list through one volatile array.
 */
final class PartitionLog {

    static final int MAX_SEGMENT_BYTES = 64 << 20;
    private static final int INITIAL_STAGING = 64 << 10;

    private final Path dir;
    private final int segmentRecords;
    private final long segmentMillis;
    /** Oldest first, never empty; replaced whole (copy on write) by the writer. */
    private volatile Segment[] segments;
    // Writer thread only: records staged for the next write to the last segment.
    private ByteBuffer staging = ByteBuffer.allocate(INITIAL_STAGING);
    private int[] stagedLengths = new int[256];
    private int staged;
    private long stagedFirst;
    private long stagedLast;

    private PartitionLog(Path dir, int segmentRecords, long segmentMillis, Segment[] segments) {
        this.dir = dir;
        this.segmentRecords = segmentRecords;
        this.segmentMillis = segmentMillis;
        this.segments = segments;
    }

    /** Opens the partition in {@code dir}, recovering its segments, or starts it empty. */
    static PartitionLog open(Path dir, int segmentRecords, long segmentMillis) {
        try {
            Files.createDirectories(dir);
            List<Path> files;
            try (Stream<Path> listing = Files.list(dir)) {
                files = listing.filter(file -> file.getFileName().toString().endsWith(Segment.SUFFIX)).sorted().toList();
            }
            List<Segment> segments = new ArrayList<>();
            for (Path file : files) segments.add(Segment.recover(file, segmentRecords));
            if (segments.isEmpty()) segments.add(Segment.create(dir, 0, segmentRecords));
            return new PartitionLog(dir, segmentRecords, segmentMillis, segments.toArray(Segment[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open event log partition " + dir, e);
        }
    }

    /** Offset of the oldest record retained ({@link #end()} when none is). */
    long oldest() {
        return segments[0].base();
    }

    /** The offset after the last record written (staged records are not counted). */
    long end() {
        Segment[] current = segments;
        return current[current.length - 1].end();
    }

    /**
     * Up to {@code max} records from {@code from} on, in offset order. When {@code from} was removed
     * by retention (or lost to a failed write), the records start at the first offset after it.
     */
    List<EventRecord> read(long from, int max) {
        while (true) {
            Segment[] current = segments;
            try {
                return read(current, from, max);
            } catch (ClosedChannelException e) {
                // Retention deleted a segment while it was read: read again from the new list.
                if (segments == current) throw new UncheckedIOException("Cannot read the event log in " + dir, e);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the event log in " + dir, e);
            }
        }
    }

    private static List<EventRecord> read(Segment[] segments, long from, int max) throws IOException {
        int index = 0;
        while (index + 1 < segments.length && segments[index + 1].base() <= from) index++;
        List<EventRecord> records = new ArrayList<>();
        long next = Math.max(from, segments[index].base());
        for (int i = index; i < segments.length && records.size() < max; i++) {
            Segment segment = segments[i];
            next = Math.max(next, segment.base());
            List<EventRecord> part = segment.read(next, max - records.size());
            records.addAll(part);
            next += part.size();
        }
        return records;
    }

    /** Writer only: stages the record of {@code offset}; rolls to a new segment first when the last is full. */
    void add(long offset, long timestamp, SessionEventType type, byte[] tenant, byte[] json) throws IOException {
        Segment last = segments[segments.length - 1];
        long first = last.count() > 0 ? last.firstTimestamp() : staged > 0 ? stagedFirst : timestamp;
        int size = RecordCodec.size(tenant, json);
        boolean full = last.count() + staged >= last.capacity()
                || last.bytes() + staging.position() + size > MAX_SEGMENT_BYTES
                || timestamp - first >= segmentMillis && last.count() + staged > 0;
        // An offset that does not follow on (records lost to a failed write) starts a segment at its own base.
        if (full || offset != last.end() + staged) roll(offset);
        if (staging.remaining() < size) staging = grow(staging, size);
        if (staged == stagedLengths.length) stagedLengths = Arrays.copyOf(stagedLengths, staged * 2);
        RecordCodec.encode(staging, timestamp, type, tenant, json);
        stagedLengths[staged++] = size;
        if (staged == 1) stagedFirst = timestamp;
        stagedLast = timestamp;
    }

    /** Writer only: writes the staged records to the last segment, making them readable. */
    void flush() throws IOException {
        if (staged == 0) return;
        staging.flip();
        try {
            segments[segments.length - 1].append(staging, stagedLengths, staged, stagedFirst, stagedLast);
        } finally {
            staging.clear();
            staged = 0;
        }
    }

    /** Writer only: on a failed write, what was staged is lost (the next offset starts a segment of its own). */
    void discardStaged() {
        staging.clear();
        staged = 0;
    }

    private void roll(long base) throws IOException {
        flush();
        Segment last = segments[segments.length - 1];
        if (last.count() == 0 && last.base() == base) return;
        Segment next = Segment.create(dir, base, segmentRecords);
        if (last.count() == 0) {
            // An empty segment (its base kept the partition's end) gives way to one at the new base.
            Segment[] replaced = segments.clone();
            replaced[replaced.length - 1] = next;
            segments = replaced;
            last.delete();
        } else {
            Segment[] rolled = Arrays.copyOf(segments, segments.length + 1);
            rolled[segments.length] = next;
            segments = rolled;
        }
    }

    /**
     * Writer only: deletes whole segments from the oldest on while what remains still holds at
     * least {@code keep} records, and those whose newest record is older than {@code cutoffMillis}.
     * A last segment that is all too old is rolled first, so that it can go too.
     */
    void trim(long keep, long cutoffMillis) throws IOException {
        long end = end();
        dropOldestWhile(segment -> segment.lastTimestamp() < cutoffMillis);
        Segment[] current = segments;
        Segment last = current[current.length - 1];
        if (current.length == 1 && last.count() > 0 && last.lastTimestamp() < cutoffMillis && staged == 0) {
            roll(last.end());
            dropOldestWhile(segment -> segment == last);
        }
        while (segments.length > 1 && end - segments[1].base() >= keep) dropOldest();
    }

    private void dropOldestWhile(Predicate<Segment> old) throws IOException {
        while (segments.length > 1 && old.test(segments[0])) dropOldest();
    }

    private void dropOldest() throws IOException {
        Segment oldest = segments[0];
        segments = Arrays.copyOfRange(segments, 1, segments.length);
        oldest.delete();
    }

    /** Writes what the OS holds of the last segment to the device, then closes the files. */
    void close() throws IOException {
        Segment[] current = segments;
        current[current.length - 1].force();
        for (Segment segment : current) segment.close();
    }

    private static ByteBuffer grow(ByteBuffer buffer, int needed) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + needed));
        buffer.flip();
        return bigger.put(buffer);
    }
}
