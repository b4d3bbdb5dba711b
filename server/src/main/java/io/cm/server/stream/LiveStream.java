package io.cm.server.stream;

import io.cm.server.config.DeliverySettings;
import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.EventFeed;
import io.cm.server.events.EventRecord;
import io.cm.server.events.StreamPosition;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One configured live stream: its live connections, which partitions each owns, and where the
 * stream stands in every partition (SPEC §6). Membership changes are synchronized on the stream:
 * its connections live on different event loops, and each change is a few in-memory steps.
 */
final class LiveStream {

    /** A slot held by a vanished peer frees when a write to it fails; a clientId need not wait at all. */
    private static final int CONFLICT_RETRY_AFTER_SECONDS = 10;

    private final LiveStreamSettings settings;
    private final EventFeed feed;
    private final Clock clock;
    private final long resumeWindowMillis;
    private final PartitionCursor[] cursors;
    /** Guarded by this; in the order they joined, which decides who gets the extra partitions. */
    private final List<LiveStreamConnection> members = new ArrayList<>();
    /** A copy of {@link #members} read without the lock by the log's thread to wake connections. */
    private volatile List<LiveStreamConnection> live = List.of();
    private volatile PartitionAssignment assignment;
    private int maxConnections;
    private long lastActive;
    private boolean positioned;

    LiveStream(LiveStreamSettings settings, EventFeed feed, DeliverySettings delivery, Clock clock) {
        this.settings = settings;
        this.feed = feed;
        this.clock = clock;
        this.resumeWindowMillis = delivery.resumeWindow().toMillis();
        int partitions = feed.partitions();
        Optional<StreamPosition> stored = feed.position(settings.name())
                .filter(position -> position.offsets().size() == partitions);
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

    String name() {
        return settings.name();
    }

    /** Whether {@code record} belongs on this stream: its tenant's, of a type the stream carries. */
    boolean carries(EventRecord record) {
        return settings.carries(record.tenant(), record.type());
    }

    List<String> tokens() {
        return settings.tokens();
    }

    EventFeed feed() {
        return feed;
    }

    /** SPEC §6 503: a stream whose tenant never had an event has nothing to connect to yet. */
    boolean ready() {
        return feed.hasEvents(settings.tenant());
    }

    /**
     * Makes {@code connection} a member, or refuses it with 409. A connection naming the clientId
     * of a live one replaces it — takes its partitions and positions — and the old one is closed.
     */
    synchronized void admit(StreamRequest request, LiveStreamConnection connection) {
        Optional<LiveStreamConnection> replaced = request.clientId().flatMap(id -> members.stream()
                .filter(member -> member.clientId().equals(Optional.of(id))).findFirst());
        int others = members.size() - (replaced.isPresent() ? 1 : 0);
        if (others > 0 && request.maxConnections() != maxConnections) {
            throw conflict("max_connections_mismatch", "maxConnections=" + request.maxConnections()
                    + " differs from the " + maxConnections + " the live connections of stream " + name() + " use");
        }
        if (others >= request.maxConnections()) {
            throw conflict("too_many_connections", "stream " + name() + " already has " + others
                    + " live connection(s) of " + request.maxConnections() + " allowed");
        }
        if (others == 0) position(request.reset(), replaced.isPresent());
        maxConnections = request.maxConnections();
        if (replaced.isPresent()) {
            members.set(members.indexOf(replaced.get()), connection);
            assign(assignment.replace(replaced.get().id(), connection.id()));
            replaced.get().close();
        } else {
            members.add(connection);
            assign(assignment.rebalance(memberIds()));
        }
        live = List.copyOf(members);
    }

    /**
     * Where a stream with no other live connection starts: the reset asked for; else, within the
     * resume window of its last connection (or taking over from the connection it replaces), where
     * it stood; else — first connection ever, or the window passed — at the end.
     */
    private void position(Optional<StreamRequest.Reset> reset, boolean replacing) {
        boolean resumable = replacing || positioned && clock.millis() - lastActive <= resumeWindowMillis;
        if (reset.isPresent() || !resumable) {
            boolean smallest = reset.equals(Optional.of(StreamRequest.Reset.SMALLEST));
            for (int p = 0; p < cursors.length; p++) cursors[p].reposition(smallest ? feed.oldest(p) : feed.end(p));
        }
        positioned = true;
    }

    /** {@code connection} is gone: its partitions go to the others; the last one out saves the position. */
    synchronized void leave(LiveStreamConnection connection) {
        if (!members.remove(connection)) return;
        lastActive = clock.millis();
        assign(assignment.rebalance(memberIds()));
        live = List.copyOf(members);
        if (members.isEmpty()) feed.savePosition(name(), position());
    }

    /** While connections are live, keeps the position on disk so that a crash loses little. */
    synchronized void checkpoint() {
        if (members.isEmpty()) return;
        lastActive = clock.millis();
        feed.savePosition(name(), position());
    }

    synchronized List<LiveStreamConnection> connections() {
        return List.copyOf(members);
    }

    int connectionCount() {
        return live.size();
    }

    void wake() {
        for (LiveStreamConnection connection : live) connection.wake();
    }

    int[] partitionsOf(LiveStreamConnection connection) {
        return assignment.partitionsOf(connection.id());
    }

    PartitionCursor cursor(int partition) {
        return cursors[partition];
    }

    private void assign(PartitionAssignment next) {
        long now = System.nanoTime();
        for (int p = 0; p < cursors.length; p++) {
            if (next.owner(p) != assignment.owner(p)) cursors[p].handOver(next.owner(p), now);
        }
        assignment = next;
    }

    private List<Long> memberIds() {
        return members.stream().map(LiveStreamConnection::id).toList();
    }

    private StreamPosition position() {
        long now = System.nanoTime();
        return new StreamPosition(lastActive, Arrays.stream(cursors).map(cursor -> cursor.committed(now)).toList());
    }

    private static StreamError conflict(String error, String description) {
        return new StreamError(409, error, description,
                Map.of("Retry-After", String.valueOf(CONFLICT_RETRY_AFTER_SECONDS)));
    }
}
