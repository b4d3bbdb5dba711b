package io.cm.server.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live connection in an {@link EmbeddedStreamGroup}: reads the partitions the group gives it
 * from the log, starting with a different one each time so that none starves, and keeps the
 * records its stream carries. {@link #take} runs on the connection's event loop; reads of recent
 * records come from the OS page cache.
 */
final class EmbeddedMember implements GroupMember {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMember.class);
    private static final AtomicLong IDS = new AtomicLong();
    private static final byte[] CRLF = {'\r', '\n'};
    /** Records read from a partition at a time: enough to amortise a read, few enough to interleave partitions. */
    private static final int RECORDS_PER_READ = 128;
    private static final long NOTHING = -1;

    private final long id = IDS.incrementAndGet();
    private final EmbeddedStreamGroup group;
    private final EventFeed feed;
    private final Optional<String> clientId;
    private final Listener listener;
    private int firstPartition;

    EmbeddedMember(EmbeddedStreamGroup group, EventFeed feed, Optional<String> clientId, Listener listener) {
        this.group = group;
        this.feed = feed;
        this.clientId = clientId;
        this.listener = listener;
    }

    long id() {
        return id;
    }

    Optional<String> clientId() {
        return clientId;
    }

    Listener listener() {
        return listener;
    }

    @Override
    public Taken take(ByteArrayOutputStream out, int maxBytes) {
        int[] owned = group.partitionsOf(this);
        long[] upTo = new long[feed.partitions()];
        Arrays.fill(upTo, NOTHING);
        List<Gap> gaps = new ArrayList<>();
        long scanned = 0;
        int records = 0;
        for (int i = 0; i < owned.length && scanned < maxBytes; i++) {
            int partition = owned[(firstPartition + i) % owned.length];
            Read read = read(partition, out, gaps);
            scanned += read.bytes();
            records += read.records();
            if (read.upTo() != NOTHING) upTo[partition] = read.upTo();
        }
        firstPartition++;
        if (!gaps.isEmpty()) return behindRetention(out, gaps);
        if (scanned == 0) return Taken.NOTHING;
        return new Taken(records, scanned, () -> delivered(upTo), false);
    }

    /** Reads the partition's next records, keeping those the stream carries in {@code out}. */
    private Read read(int partition, ByteArrayOutputStream out, List<Gap> gaps) {
        PartitionCursor cursor = group.cursor(partition);
        OptionalLong next = cursor.next(id);
        if (next.isEmpty()) return Read.NONE;
        long from = next.getAsLong();
        long oldest = feed.oldest(partition);
        if (from < oldest) {
            gaps.add(new Gap(partition, from, oldest));
            return Read.NONE;
        }
        List<EventRecord> batch = feed.read(partition, from, RECORDS_PER_READ);
        if (batch.isEmpty()) return Read.NONE;
        if (batch.getFirst().offset() != from) {
            // Removed by retention between the check above and the read.
            gaps.add(new Gap(partition, from, batch.getFirst().offset()));
            return Read.NONE;
        }
        long to = batch.getLast().offset() + 1;
        if (!cursor.advance(id, from, to)) return Read.NONE;
        long bytes = 0;
        int kept = 0;
        for (EventRecord record : batch) {
            bytes += record.json().length;
            if (!group.carries(record)) continue;
            out.writeBytes(record.json());
            out.writeBytes(CRLF);
            kept++;
        }
        return new Read(kept, bytes, to);
    }

    private void delivered(long[] upTo) {
        long now = System.nanoTime();
        for (int p = 0; p < upTo.length; p++) {
            if (upTo[p] != NOTHING) group.cursor(p).acknowledged(id, upTo[p], now);
        }
    }

    /**
     * Records this member was to send were removed by retention first: one marker record says so,
     * the group moves past the loss (so the next connection does not report it again), and the
     * connection ends. Records read before the gap was found are not sent; the next owner sends them.
     */
    private Taken behindRetention(ByteArrayOutputStream out, List<Gap> gaps) {
        List<Integer> partitions = new ArrayList<>();
        for (Gap gap : gaps) {
            if (group.cursor(gap.partition()).skip(id, gap.from(), gap.resumeAt())) partitions.add(gap.partition());
        }
        LOG.warn("Live stream {} member {} fell behind retention in partitions {}; closing it", group.name(), id, partitions);
        out.reset();
        out.writeBytes(BehindRetention.record(group.millis(), partitions));
        return new Taken(1, out.size(), () -> { }, true);
    }

    @Override
    public void leave(boolean clean) {
        group.leave(this, clean);
    }

    private record Gap(int partition, long from, long resumeAt) {
    }

    private record Read(int records, long bytes, long upTo) {
        static final Read NONE = new Read(0, 0, NOTHING);
    }
}
