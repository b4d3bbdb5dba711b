package io.cm.server.events;

import io.cm.server.config.DeliverySettings;
import io.cm.server.config.LiveStreamSettings;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The consumer group of one stream on the embedded log: its live connections, which partitions
 * each owns, and where the stream stands in every partition (SPEC §6). Membership changes are
 * synchronized on the group: its members live on different event loops, and each change is a few
 * in-memory steps.
 */
final class EmbeddedStreamGroup implements StreamGroup {

    /** A slot held by a vanished peer frees when a write to it fails; a clientId need not wait at all. */
    private static final int CONFLICT_RETRY_AFTER_SECONDS = 10;
    /** A tenant without events may have none for a while; there is no point asking again at once. */
    private static final int NOT_READY_RETRY_AFTER_SECONDS = 30;

    private final LiveStreamSettings settings;
    private final EventFeed feed;
    private final Clock clock;
    private final long resumeWindowMillis;
    private final PartitionCursor[] cursors;
    /** Guarded by this; in the order they joined, which decides who gets the extra partitions. */
    private final List<EmbeddedMember> members = new ArrayList<>();
    /** A copy of {@link #members} read without the lock by the log's thread to wake connections. */
    private volatile List<EmbeddedMember> live = List.of();
    private volatile PartitionAssignment assignment;
    private int maxConnections;
    private long lastActive;
    private boolean positioned;

    EmbeddedStreamGroup(LiveStreamSettings settings, EventFeed feed, DeliverySettings delivery, Clock clock) {
        this(settings, feed, delivery, clock, feed.position(settings.name()));
    }

    /** The group of {@code settings}, the stream's changed settings, continuing where {@code previous} stands. */
    EmbeddedStreamGroup(LiveStreamSettings settings, EmbeddedStreamGroup previous, DeliverySettings delivery) {
        this(settings, previous.feed, delivery, previous.clock, Optional.of(previous.handOff()));
    }

    private EmbeddedStreamGroup(LiveStreamSettings settings, EventFeed feed, DeliverySettings delivery, Clock clock,
                                Optional<StreamPosition> start) {
        this.settings = settings;
        this.feed = feed;
        this.clock = clock;
        this.resumeWindowMillis = delivery.resumeWindow().toMillis();
        int partitions = feed.partitions();
        Optional<StreamPosition> stored = start.filter(position -> position.offsets().size() == partitions);
        this.cursors = new PartitionCursor[partitions];
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            long end = feed.end(partition);
            long offset = stored.map(position -> Math.min(position.offsets().get(partition), end)).orElse(end);
            cursors[partition] = new PartitionCursor(offset, delivery.replayMargin());
        }
        this.positioned = stored.isPresent();
        this.lastActive = stored.map(StreamPosition::lastActive).orElse(0L);
        this.assignment = PartitionAssignment.unassigned(partitions);
    }

    @Override
    public CompletionStage<GroupMember> join(JoinRequest request, GroupMember.Listener listener) {
        if (!feed.hasEvents(settings.tenant())) {
            return CompletableFuture.failedFuture(new GroupRefusal(503, "no_events_yet",
                    "Stream " + settings.name() + " has not received any event yet", NOT_READY_RETRY_AFTER_SECONDS));
        }
        try {
            return CompletableFuture.completedFuture(admit(request, listener));
        } catch (GroupRefusal refusal) {
            return CompletableFuture.failedFuture(refusal);
        }
    }

    /**
     * Makes a new member, or refuses it with 409. A request naming the clientId of a live member
     * replaces it — takes its partitions and positions, as after an unclean end — and evicts it.
     */
    private synchronized EmbeddedMember admit(JoinRequest request, GroupMember.Listener listener) {
        Optional<EmbeddedMember> replaced = request.clientId().flatMap(id -> members.stream()
                .filter(member -> member.clientId().equals(Optional.of(id))).findFirst());
        int others = members.size() - (replaced.isPresent() ? 1 : 0);
        if (others > 0 && request.maxConnections() != maxConnections) {
            throw conflict("max_connections_mismatch", "maxConnections=" + request.maxConnections()
                    + " differs from the " + maxConnections + " the live connections of stream " + settings.name() + " use");
        }
        if (others >= request.maxConnections()) {
            throw conflict("too_many_connections", "stream " + settings.name() + " already has " + others
                    + " live connection(s) of " + request.maxConnections() + " allowed");
        }
        if (others == 0) position(request.reset(), replaced.isPresent());
        maxConnections = request.maxConnections();
        EmbeddedMember member = new EmbeddedMember(this, feed, request.clientId(), listener);
        if (replaced.isPresent()) {
            members.set(members.indexOf(replaced.get()), member);
            assign(assignment.replace(replaced.get().id(), member.id()), replaced.get().id());
            replaced.get().listener().evicted("replaced by a new connection with the same clientId");
        } else {
            members.add(member);
            assign(assignment.rebalance(memberIds()), PartitionAssignment.NONE);
        }
        live = List.copyOf(members);
        return member;
    }

    /**
     * Where a stream with no other live connection starts: the reset asked for; else, within the
     * resume window of its last connection (or taking over from the connection it replaces), where
     * it stood; else — first connection ever, or the window passed — at the end.
     */
    private void position(Optional<JoinRequest.Reset> reset, boolean replacing) {
        boolean resumable = replacing || positioned && clock.millis() - lastActive <= resumeWindowMillis;
        if (reset.isPresent() || !resumable) {
            boolean smallest = reset.equals(Optional.of(JoinRequest.Reset.SMALLEST));
            for (int p = 0; p < cursors.length; p++) cursors[p].reposition(smallest ? feed.oldest(p) : feed.end(p));
        }
        positioned = true;
    }

    /** {@code member} is gone: its partitions go to the others; the last one out saves the position. */
    synchronized void leave(EmbeddedMember member, boolean clean) {
        if (!members.remove(member)) return;
        lastActive = clock.millis();
        assign(assignment.rebalance(memberIds()), clean ? PartitionAssignment.NONE : member.id());
        live = List.copyOf(members);
        if (members.isEmpty()) feed.savePosition(settings.name(), position());
    }

    /** While connections are live, keeps the position on disk so that a crash loses little. */
    synchronized void checkpoint() {
        if (members.isEmpty()) return;
        lastActive = clock.millis();
        feed.savePosition(settings.name(), position());
    }

    /** Where the stream stands now, for the group that takes over after its settings changed. */
    private synchronized StreamPosition handOff() {
        if (!members.isEmpty()) lastActive = clock.millis();
        return position();
    }

    LiveStreamSettings settings() {
        return settings;
    }

    @Override
    public int connections() {
        return live.size();
    }

    void wake() {
        for (EmbeddedMember member : live) member.listener().wake();
    }

    boolean carries(EventRecord record) {
        return settings.carries(record.tenant(), record.type());
    }

    String name() {
        return settings.name();
    }

    /** The server clock's time, for what the group writes itself. */
    long millis() {
        return clock.millis();
    }

    int[] partitionsOf(EmbeddedMember member) {
        return assignment.partitionsOf(member.id());
    }

    PartitionCursor cursor(int partition) {
        return cursors[partition];
    }

    /** Moves partitions to their owners in {@code next}; those of {@code lost} hand over as after an unclean end. */
    private void assign(PartitionAssignment next, long lost) {
        long now = System.nanoTime();
        for (int p = 0; p < cursors.length; p++) {
            long owner = assignment.owner(p);
            if (next.owner(p) != owner) cursors[p].handOver(next.owner(p), now, owner == PartitionAssignment.NONE || owner != lost);
        }
        assignment = next;
    }

    private List<Long> memberIds() {
        return members.stream().map(EmbeddedMember::id).toList();
    }

    private StreamPosition position() {
        long now = System.nanoTime();
        return new StreamPosition(lastActive, Arrays.stream(cursors).map(cursor -> cursor.committed(now)).toList());
    }

    private static GroupRefusal conflict(String error, String description) {
        return new GroupRefusal(409, error, description, CONFLICT_RETRY_AFTER_SECONDS);
    }
}
