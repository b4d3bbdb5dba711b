package io.cm.server.events.kafka;

import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.BehindRetention;
import io.cm.server.events.GroupMember;
import io.cm.server.events.JoinRequest;
import io.cm.server.events.PartitionAssignment;
import io.cm.server.events.PartitionCursor;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One live connection as a member of its stream's Kafka consumer group (SPEC §6, §8). A thread of
 * its own runs the {@link KafkaConsumer}: it polls the partitions the group coordinator assigns,
 * keeps the records the stream carries in a bounded hand-off for the connection's event loop
 * ({@link #take}), and commits the group's offsets as the connection's writes complete:
 *
 * <ul>
 *   <li>every second, the offsets acknowledged at least {@code replay-margin} ago (a crash, or a
 *       takeover that fences this member, repeats at most that margin);</li>
 *   <li>on a clean end and for partitions revoked by a rebalance, the acknowledged offsets (only
 *       writes in flight are repeated);</li>
 *   <li>each commit carries the time as its metadata, which tells the next connection whether it
 *       is within the resume window.</li>
 * </ul>
 *
 * A connection that names a {@code clientId} joins as a static member with that instance id: the
 * coordinator gives it the partitions of the live member with the same id, wherever it runs, and
 * fences that one. Leaving sends the coordinator a LeaveGroup at once, static member or not.
 */
final class KafkaMember implements GroupMember {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaMember.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** Records polled but not yet taken by the connection; past it the partitions are paused. */
    private static final int HANDOFF_BYTES = 1 << 20;
    private static final long COMMIT_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final long OWNER = 1;
    private static final byte[] CRLF = {'\r', '\n'};

    /** How the first assignment is positioned: decided from the group as it was when the connection came. */
    record Start(Optional<JoinRequest.Reset> reset, boolean alone, boolean replacing) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final LiveStreamSettings stream;
    private final Start start;
    private final Duration replayMargin;
    private final Duration resumeWindow;
    private final Clock clock;
    private final Listener listener;
    private final Consumer<KafkaMember> onLeave;
    private final Consumer<KafkaMember> onGone;
    private final CompletableFuture<KafkaMember> joined = new CompletableFuture<>();
    private final Thread thread;
    /** Guarded by itself: filled by the consumer thread, emptied by the connection's event loop. */
    private final ArrayDeque<Chunk> handoff = new ArrayDeque<>();
    private long handoffBytes;
    private final ConcurrentLinkedQueue<Acknowledgement> acknowledgements = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean left = new AtomicBoolean();
    private volatile boolean leaving;
    private volatile boolean clean = true;
    private volatile String memberId = "";
    // Consumer thread only.
    private final Map<TopicPartition, PartitionCursor> cursors = new HashMap<>();
    private boolean firstAssignment = true;
    private boolean ending;
    private long lastCommit = System.nanoTime();

    KafkaMember(KafkaConsumer<byte[], byte[]> consumer, String topic, LiveStreamSettings stream, Start start,
                Duration replayMargin, Duration resumeWindow, Clock clock, Listener listener,
                Consumer<KafkaMember> onLeave, Consumer<KafkaMember> onGone) {
        this.consumer = consumer;
        this.topic = topic;
        this.stream = stream;
        this.start = start;
        this.replayMargin = replayMargin;
        this.resumeWindow = resumeWindow;
        this.clock = clock;
        this.listener = listener;
        this.onLeave = onLeave;
        this.onGone = onGone;
        this.thread = Thread.ofPlatform().name("cm-live-" + stream.name()).daemon().unstarted(this::run);
    }

    /** Starts consuming; {@link #joined()} completes once the coordinator has given this member its partitions. */
    void start() {
        thread.start();
    }

    CompletableFuture<KafkaMember> joined() {
        return joined;
    }

    /** The coordinator's id of this member (known once joined). */
    String memberId() {
        return memberId;
    }

    @Override
    public Taken take(ByteArrayOutputStream out, int maxBytes) {
        Map<TopicPartition, Long> upTo = new HashMap<>();
        int records = 0;
        long scanned = 0;
        boolean last = false;
        synchronized (handoff) {
            while (!handoff.isEmpty() && !last
                    && (out.size() == 0 || out.size() + handoff.peekFirst().records().length <= maxBytes)) {
                Chunk chunk = handoff.pollFirst();
                handoffBytes -= chunk.records().length;
                out.writeBytes(chunk.records());
                records += chunk.count();
                scanned += Math.max(1, chunk.scanned());
                chunk.partition().ifPresent(partition -> upTo.merge(partition, chunk.next(), Math::max));
                last = chunk.last();
            }
        }
        if (scanned == 0) return Taken.NOTHING;
        return new Taken(records, scanned, () -> acknowledgements.add(new Acknowledgement(upTo, System.nanoTime())), last);
    }

    @Override
    public void leave(boolean cleanly) {
        if (!left.compareAndSet(false, true)) return;
        clean = cleanly;
        leaving = true;
        onLeave.accept(this);
        try {
            consumer.wakeup();
        } catch (RuntimeException closedAlready) {
            // the consumer thread ended first
        }
    }

    /** Waits for the consumer thread to have committed and left the group (shutdown). */
    void awaitGone(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
    }

    private void run() {
        boolean fenced = false;
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!leaving) {
                applyAcknowledgements();
                commitIfDue();
                if (ending) {
                    // The behind-retention record is on its way; the connection ends after it.
                    Thread.sleep(POLL.toMillis());
                    continue;
                }
                pauseWhileTheConnectionIsBehind();
                try {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    if (!records.isEmpty()) {
                        handOff(records);
                        listener.wake();
                    }
                } catch (OffsetOutOfRangeException e) {
                    behindRetention(e.partitions());
                }
            }
        } catch (WakeupException leavingNow) {
            // leave() woke the consumer
        } catch (FencedInstanceIdException e) {
            fenced = true;
            listener.evicted("replaced by a new connection with the same clientId");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("Live stream {}: Kafka consumer failed: {}", stream.name(), e.toString());
            joined.completeExceptionally(e);
            listener.evicted("the event stream failed: " + e);
        } finally {
            close(fenced);
        }
    }

    /** Commits where the stream stands (unless another member took this one's place), then leaves the group. */
    private void close(boolean fenced) {
        leaving = true;
        if (left.compareAndSet(false, true)) onLeave.accept(this);
        if (!fenced) {
            try {
                applyAcknowledgements();
                if (clean) cursors.values().forEach(cursor -> cursor.handOver(PartitionAssignment.NONE, System.nanoTime(), true));
                consumer.commitSync(offsets(), CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.debug("Live stream {}: final commit failed: {}", stream.name(), e.toString());
            }
        }
        try {
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(CLOSE_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.debug("Live stream {}: consumer close failed: {}", stream.name(), e.toString());
        }
        joined.completeExceptionally(new IllegalStateException("left the group before joining"));
        onGone.accept(this);
    }

    private void applyAcknowledgements() {
        for (Acknowledgement ack = acknowledgements.poll(); ack != null; ack = acknowledgements.poll()) {
            long nanos = ack.nanos();
            ack.upTo().forEach((partition, offset) -> {
                PartitionCursor cursor = cursors.get(partition);
                if (cursor != null) cursor.acknowledged(OWNER, offset, nanos);
            });
        }
    }

    private void commitIfDue() {
        long now = System.nanoTime();
        if (now - lastCommit < COMMIT_PERIOD_NANOS || cursors.isEmpty()) return;
        lastCommit = now;
        consumer.commitAsync(offsets(), (offsets, error) -> {
            if (error != null) LOG.debug("Live stream {}: commit failed: {}", stream.name(), error.toString());
        });
    }

    /** The committed offset of every owned partition, dated now (the resume window counts from it). */
    private Map<TopicPartition, OffsetAndMetadata> offsets() {
        long now = System.nanoTime();
        String lastActive = Long.toString(clock.millis());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        cursors.forEach((partition, cursor) -> offsets.put(partition, new OffsetAndMetadata(cursor.committed(now), lastActive)));
        return offsets;
    }

    private void pauseWhileTheConnectionIsBehind() {
        boolean full;
        synchronized (handoff) {
            full = handoffBytes >= HANDOFF_BYTES;
        }
        if (full) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    private void handOff(ConsumerRecords<byte[], byte[]> records) {
        List<Chunk> chunks = new ArrayList<>();
        for (TopicPartition partition : records.partitions()) {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            int count = 0;
            long scanned = 0;
            long next = -1;
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                next = record.offset() + 1;
                scanned += record.value() == null ? 0 : record.value().length;
                if (record.value() == null || !EventRecords.carries(stream, record)) continue;
                kept.writeBytes(record.value());
                kept.writeBytes(CRLF);
                count++;
            }
            chunks.add(new Chunk(Optional.of(partition), kept.toByteArray(), count, scanned, next, false));
        }
        synchronized (handoff) {
            for (Chunk chunk : chunks) {
                handoff.addLast(chunk);
                handoffBytes += chunk.records().length;
            }
        }
    }

    /**
     * The committed offsets of {@code partitions} were removed by retention: the member moves to
     * the oldest retained records, says so in one record, and the connection ends after it.
     */
    private void behindRetention(Set<TopicPartition> partitions) {
        consumer.seekToBeginning(partitions);
        List<Integer> numbers = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            numbers.add(partition.partition());
            PartitionCursor cursor = cursors.get(partition);
            if (cursor != null) cursor.reposition(consumer.position(partition));
        }
        LOG.warn("Live stream {} fell behind retention in partitions {}; closing the connection", stream.name(), numbers);
        byte[] marker = BehindRetention.record(clock.millis(), numbers);
        synchronized (handoff) {
            handoff.addLast(new Chunk(Optional.empty(), marker, 1, marker.length, -1, true));
            handoffBytes += marker.length;
        }
        ending = true;
        listener.wake();
    }

    /** The coordinator's decisions, on the consumer thread (inside poll). */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // The partitions move to another member while this one goes on: a clean hand-over.
            forget(partitions);
            applyAcknowledgements();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            String lastActive = Long.toString(clock.millis());
            long now = System.nanoTime();
            for (TopicPartition partition : partitions) {
                PartitionCursor cursor = cursors.remove(partition);
                if (cursor == null) continue;
                cursor.handOver(PartitionAssignment.NONE, now, true);
                offsets.put(partition, new OffsetAndMetadata(cursor.committed(now), lastActive));
            }
            if (!offsets.isEmpty() && !leaving) consumer.commitSync(offsets, CLOSE_TIMEOUT);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            partitions.forEach(cursors::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            memberId = consumer.groupMetadata().memberId();
            boolean first = firstAssignment;
            firstAssignment = false;
            Map<TopicPartition, OffsetAndMetadata> committed = partitions.isEmpty()
                    ? Map.of() : consumer.committed(new HashSet<>(partitions));
            boolean reset = first && start.alone() && start.reset().isPresent();
            boolean fresh = first && start.alone() && !start.replacing();
            List<TopicPartition> toBeginning = new ArrayList<>();
            List<TopicPartition> toEnd = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                if (reset) {
                    (start.reset().get() == JoinRequest.Reset.SMALLEST ? toBeginning : toEnd).add(partition);
                } else if (offset == null || fresh && outsideResumeWindow(offset)) {
                    // First connection ever, or the stream was away longer than the resume window: new events only.
                    toEnd.add(partition);
                } else {
                    consumer.seek(partition, offset);
                }
            }
            if (!toBeginning.isEmpty()) consumer.seekToBeginning(toBeginning);
            if (!toEnd.isEmpty()) consumer.seekToEnd(toEnd);
            long now = System.nanoTime();
            for (TopicPartition partition : partitions) {
                PartitionCursor cursor = new PartitionCursor(consumer.position(partition), replayMargin);
                cursor.handOver(OWNER, now, true);
                cursors.put(partition, cursor);
            }
            // Where the member starts is the group's position at once: a takeover or a restart before the
            // first periodic commit continues from here, not from the end.
            if (!partitions.isEmpty()) consumer.commitSync(offsets(), CLOSE_TIMEOUT);
            lastCommit = System.nanoTime();
            joined.complete(KafkaMember.this);
        }

        private boolean outsideResumeWindow(OffsetAndMetadata offset) {
            try {
                return clock.millis() - Long.parseLong(offset.metadata()) > resumeWindow.toMillis();
            } catch (NumberFormatException e) {
                return false;
            }
        }

        /** Drops what was polled for {@code partitions} and not yet taken: their next member sends it. */
        private void forget(Collection<TopicPartition> partitions) {
            synchronized (handoff) {
                handoff.removeIf(chunk -> {
                    boolean gone = chunk.partition().map(partitions::contains).orElse(false);
                    if (gone) handoffBytes -= chunk.records().length;
                    return gone;
                });
            }
        }
    }

    /** Records of one partition polled together; {@code next}: the offset after them. */
    private record Chunk(Optional<TopicPartition> partition, byte[] records, int count, long scanned, long next,
                         boolean last) {
    }

    private record Acknowledgement(Map<TopicPartition, Long> upTo, long nanos) {
    }
}
