package io.cm.server.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One file of a partition: records from offset {@link #base()} on, back to back
 * ({@link RecordCodec}), named by its base offset so that offsets survive restarts and retention.
 * Only appended to, never rewritten; retention deletes it whole.
 *
 * <p>The log's writer thread appends; readers on any thread read what {@link #count()} (a volatile
 * publication) covers, with positional reads that never move a shared file position. In memory it
 * keeps where each record ends, 4 bytes a record.
 */
final class Segment {

    static final String SUFFIX = ".log";
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    private static final int RECOVERY_READ = 1 << 20;

    private final Path file;
    private final long base;
    /** Reopened if an interrupted reader closed it (FileChannel closes on interrupt) and the segment is still in use. */
    private volatile FileChannel channel;
    private volatile boolean retired;
    /** ends[i]: the file position after record i; written before {@link #count} publishes it. */
    private final int[] ends;
    private volatile int count;
    private volatile long firstTimestamp;
    private volatile long lastTimestamp;

    private Segment(Path file, long base, FileChannel channel, int[] ends, int count, long firstTimestamp,
                    long lastTimestamp) {
        this.file = file;
        this.base = base;
        this.channel = channel;
        this.ends = ends;
        this.count = count;
        this.firstTimestamp = firstTimestamp;
        this.lastTimestamp = lastTimestamp;
    }

    /** A new, empty segment for up to {@code capacity} records. */
    static Segment create(Path dir, long base, int capacity) {
        Path file = dir.resolve(name(base));
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            return new Segment(file, base, channel, new int[capacity], 0, 0, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create event log segment " + file, e);
        }
    }

    /**
     * Opens an existing segment and checks every record. The file ends at the last whole record
     * with a matching checksum: a record torn by a crash during its write, and anything after it,
     * is cut off (such a record was never readable, so no reader saw it).
     */
    static Segment recover(Path file, int capacity) {
        long base = Long.parseLong(file.getFileName().toString().replace(SUFFIX, ""));
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            List<Integer> ends = new ArrayList<>();
            long first = 0;
            long last = 0;
            long size = channel.size();
            long position = 0;
            ByteBuffer buffer = ByteBuffer.allocate(RECOVERY_READ);
            while (position < size) {
                buffer.clear();
                readFully(channel, buffer, position, (int) Math.min(buffer.capacity(), size - position));
                buffer.flip();
                int consumed = 0;
                for (int length = RecordCodec.validLength(buffer); length > 0; length = RecordCodec.validLength(buffer)) {
                    last = RecordCodec.timestamp(buffer);
                    if (ends.isEmpty()) first = last;
                    consumed += length;
                    ends.add(Math.toIntExact(position + consumed));
                    buffer.position(buffer.position() + length);
                }
                if (consumed == 0) {
                    // Not even one whole record in a full read: a record longer than the buffer, or garbage.
                    int length = buffer.remaining() >= RecordCodec.HEADER ? buffer.getInt(0) : -1;
                    if (length <= 0 || length > RecordCodec.MAX_BODY || position + RecordCodec.HEADER + length > size
                            || buffer.capacity() >= RecordCodec.HEADER + length) {
                        break;
                    }
                    buffer = ByteBuffer.allocate(RecordCodec.HEADER + length);
                    continue;
                }
                position += consumed;
            }
            if (position < size) {
                LOG.warn("Event log segment {}: cut {} bytes after record {} (torn by a crash during a write)",
                        file, size - position, base + ends.size() - 1);
                channel.truncate(position);
            }
            int[] endArray = Arrays.copyOf(ends.stream().mapToInt(Integer::intValue).toArray(),
                    Math.max(capacity, ends.size()));
            return new Segment(file, base, channel, endArray, ends.size(), first, last);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read event log segment " + file, e);
        }
    }

    static String name(long base) {
        return String.format("%020d%s", base, SUFFIX);
    }

    long base() {
        return base;
    }

    /** The offset after the last record. */
    long end() {
        return base + count;
    }

    int count() {
        return count;
    }

    int capacity() {
        return ends.length;
    }

    /** File size: the position after the last record. */
    int bytes() {
        int n = count;
        return n == 0 ? 0 : ends[n - 1];
    }

    long firstTimestamp() {
        return firstTimestamp;
    }

    long lastTimestamp() {
        return lastTimestamp;
    }

    /**
     * Writer only: appends {@code records} (whole records, {@code lengths[0..n)} bytes each) with one
     * write, then publishes them to readers.
     */
    void append(ByteBuffer records, int[] lengths, int n, long first, long last) throws IOException {
        int at = bytes();
        int position = at;
        FileChannel file = channel();
        while (records.hasRemaining()) position += file.write(records, position);
        int start = count;
        int end = at;
        for (int i = 0; i < n; i++) {
            end += lengths[i];
            ends[start + i] = end;
        }
        if (start == 0) firstTimestamp = first;
        lastTimestamp = last;
        count = start + n;
    }

    /**
     * Up to {@code max} records from offset {@code from} (at least {@link #base()}), in one
     * positional read. Empty when {@code from} is at or past the end.
     *
     * @throws ClosedChannelException when retention deleted the segment meanwhile
     */
    List<EventRecord> read(long from, int max) throws IOException {
        int index = Math.toIntExact(from - base);
        int n = Math.min(max, count - index);
        if (n <= 0) return List.of();
        int start = index == 0 ? 0 : ends[index - 1];
        ByteBuffer buffer = ByteBuffer.allocate(ends[index + n - 1] - start);
        readFully(channel(), buffer, start, buffer.capacity());
        buffer.flip();
        List<EventRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) records.add(RecordCodec.decode(from + i, buffer));
        return records;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, int length) throws IOException {
        buffer.limit(buffer.position() + length);
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) throw new IOException("unexpected end of file at " + at);
            at += n;
        }
    }

    private FileChannel channel() throws IOException {
        FileChannel current = channel;
        if (current.isOpen() || retired) return current;
        synchronized (this) {
            if (!channel.isOpen() && !retired) channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return channel;
        }
    }

    /** Writes what the OS holds of this file to the device. */
    void force() throws IOException {
        channel().force(false);
    }

    void close() throws IOException {
        retired = true;
        channel.close();
    }

    /** Closes and removes the file (retention); readers holding it get a {@link ClosedChannelException}. */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
