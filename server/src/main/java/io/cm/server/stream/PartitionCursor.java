package io.cm.server.stream;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A stream's place in one partition, and which connection owns it.
 *
 * <p>{@code next} is the next offset to send. What the stream commits — its position, kept across
 * reconnects and restarts, and where a new owner starts — trails it: a record counts as delivered
 * once its write reached the socket at least {@code replayMargin} ago. A peer that vanished may
 * never have read what sat in socket buffers, and a dead peer cannot be told from a slow one, so a
 * new owner sends such records again (at-least-once; {@code hit_id} identifies repeats).
 *
 * <p>Times are {@link System#nanoTime()}: the margin is about network buffers, not the business
 * clock. Flush samples are kept at most one per second, so memory is bounded by the margin.
 * Methods are synchronized: the owner's event loop and the stream's membership changes meet here.
 */
final class PartitionCursor {

    private static final long SAMPLE_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long marginNanos;
    private final Deque<Flushed> flushed = new ArrayDeque<>();
    private long owner = PartitionAssignment.NONE;
    private long next;
    private long committed;

    PartitionCursor(long offset, Duration replayMargin) {
        this.next = offset;
        this.committed = offset;
        this.marginNanos = replayMargin.toNanos();
    }

    /** The next offset to send, for the owner only. */
    synchronized OptionalLong next(long connection) {
        return owner == connection ? OptionalLong.of(next) : OptionalLong.empty();
    }

    /**
     * Claims records {@code from} until {@code to} for sending. Fails when the partition changed
     * owner or position since {@code from} was read, so a record is never claimed twice by one owner.
     */
    synchronized boolean advance(long connection, long from, long to) {
        if (owner != connection || next != from) return false;
        next = to;
        return true;
    }

    /** The owner's records below {@code upTo} reached the socket at {@code nowNanos}. */
    synchronized void flushed(long connection, long upTo, long nowNanos) {
        if (owner != connection) return;
        Flushed last = flushed.peekLast();
        if (last != null && nowNanos - last.periodStart() < SAMPLE_PERIOD_NANOS) {
            // Same sample period: the later time, so the sample never claims an earlier flush than the truth.
            flushed.pollLast();
            flushed.addLast(new Flushed(last.periodStart(), nowNanos, Math.max(last.upTo(), upTo)));
        } else {
            flushed.addLast(new Flushed(nowNanos, nowNanos, upTo));
        }
    }

    /** The offset the stream continues from: every record below it was flushed at least the margin ago. */
    synchronized long committed(long nowNanos) {
        while (!flushed.isEmpty() && nowNanos - flushed.peekFirst().at() >= marginNanos) {
            committed = Math.max(committed, flushed.pollFirst().upTo());
        }
        return committed;
    }

    /** The partition moves to {@code successor} ({@link PartitionAssignment#NONE} to release it), which starts at the committed offset. */
    synchronized void handOver(long successor, long nowNanos) {
        next = committed(nowNanos);
        flushed.clear();
        owner = successor;
    }

    /** Repositions the stream (reset, resume window passed) to {@code offset}. */
    synchronized void reposition(long offset) {
        next = offset;
        committed = offset;
        flushed.clear();
    }

    /**
     * For the owner that found the records from {@code missedFrom} gone (removed by retention before
     * being sent): continues at {@code resumeAt}, committed at once since the loss has been reported.
     * False when the partition changed owner or position meanwhile.
     */
    synchronized boolean skip(long connection, long missedFrom, long resumeAt) {
        if (owner != connection || next != missedFrom) return false;
        reposition(resumeAt);
        return true;
    }

    private record Flushed(long periodStart, long at, long upTo) {
    }
}
