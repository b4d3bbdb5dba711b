package io.cm.server.events;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A stream's place in one partition, and which connection owns it.
 *
 * <p>{@code next} is the next offset to send. A record is <em>acknowledged</em> once the write that
 * carried it reached the socket. When the owner gives the partition up cleanly — its peer closed
 * the connection normally, the server ended it, or the partition moves to a newcomer while the
 * owner goes on — the next owner starts after the acknowledged records: nothing is sent twice
 * beyond the writes still in flight. When the owner is lost uncleanly — a failed write, a reset, a
 * connection replaced by its {@code clientId} — what sat in socket buffers may never have been
 * read, and a dead peer cannot be told from a slow one: the next owner starts at the
 * <em>committed</em> offset, below which every record was acknowledged at least
 * {@code replayMargin} ago (at-least-once; {@code hit_id} identifies repeats). Acknowledgements
 * outlive their owner until they pass the margin, so a chain of short connections repeats at most
 * the last margin's records once each, never everything since the last long one.
 *
 * <p>Times are {@link System#nanoTime()}: the margin is about network buffers, not the business
 * clock. Samples are kept at most one per second, so memory is bounded by the margin. Methods are
 * synchronized: the owner's event loop and the stream's membership changes meet here.
 */
public final class PartitionCursor {

    private static final long SAMPLE_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long marginNanos;
    private final Deque<Acknowledged> samples = new ArrayDeque<>();
    private long owner = PartitionAssignment.NONE;
    private long next;
    /** What the current owner's completed writes carried, up to (exclusive). */
    private long acknowledged;
    private long committed;

    public PartitionCursor(long offset, Duration replayMargin) {
        this.next = offset;
        this.acknowledged = offset;
        this.committed = offset;
        this.marginNanos = replayMargin.toNanos();
    }

    /** The next offset to send, for the owner only. */
    public synchronized OptionalLong next(long connection) {
        return owner == connection ? OptionalLong.of(next) : OptionalLong.empty();
    }

    /**
     * Claims records {@code from} until {@code to} for sending. Fails when the partition changed
     * owner or position since {@code from} was read, so a record is never claimed twice by one owner.
     */
    public synchronized boolean advance(long connection, long from, long to) {
        if (owner != connection || next != from) return false;
        next = to;
        return true;
    }

    /** The owner's records below {@code upTo} reached the socket at {@code nowNanos}. */
    public synchronized void acknowledged(long connection, long upTo, long nowNanos) {
        if (owner != connection) return;
        acknowledged = Math.max(acknowledged, upTo);
        Acknowledged last = samples.peekLast();
        if (last != null && nowNanos - last.periodStart() < SAMPLE_PERIOD_NANOS) {
            // Same sample period: the later time, so the sample never claims an earlier write than the truth.
            samples.pollLast();
            samples.addLast(new Acknowledged(last.periodStart(), nowNanos, Math.max(last.upTo(), upTo)));
        } else {
            samples.addLast(new Acknowledged(nowNanos, nowNanos, upTo));
        }
    }

    /** The offset below which every record was acknowledged at least the margin ago (or handed over cleanly). */
    public synchronized long committed(long nowNanos) {
        while (!samples.isEmpty() && nowNanos - samples.peekFirst().at() >= marginNanos) {
            committed = Math.max(committed, samples.pollFirst().upTo());
        }
        return committed;
    }

    /**
     * The partition moves to {@code successor} ({@link PartitionAssignment#NONE} to release it). After a
     * {@code clean} end of the owner it starts after the acknowledged records, else at the committed offset.
     */
    public synchronized void handOver(long successor, long nowNanos, boolean clean) {
        long start = committed(nowNanos);
        if (clean) {
            start = Math.max(start, acknowledged);
            committed = start;
        }
        next = start;
        acknowledged = start;
        owner = successor;
    }

    /** Repositions the stream (reset, resume window passed) to {@code offset}. */
    public synchronized void reposition(long offset) {
        next = offset;
        acknowledged = offset;
        committed = offset;
        samples.clear();
    }

    /**
     * For the owner that found the records from {@code missedFrom} gone (removed by retention before
     * being sent): continues at {@code resumeAt}, committed at once since the loss has been reported.
     * False when the partition changed owner or position meanwhile.
     */
    public synchronized boolean skip(long connection, long missedFrom, long resumeAt) {
        if (owner != connection || next != missedFrom) return false;
        reposition(resumeAt);
        return true;
    }

    private record Acknowledged(long periodStart, long at, long upTo) {
    }
}
