package io.cm.server.events;

import java.util.concurrent.CompletionStage;

/**
 * The live connections of one stream as one consumer group (SPEC §6): the partitions are spread
 * over the members, all events of one visitor go to one member, and the group keeps its position
 * per partition between connections.
 */
public interface StreamGroup {

    /**
     * Makes a new connection a member. Fails with a {@link GroupRefusal}: 503 when the stream cannot
     * be served (its tenant never had an event, or the events are unreachable), 409 when the group
     * is full or uses another {@code maxConnections}. A request naming the {@code clientId} of a live
     * member replaces it instead; the replaced member's listener is told it was evicted. May complete
     * on another thread.
     */
    CompletionStage<GroupMember> join(JoinRequest request, GroupMember.Listener listener);

    /** Live connections of this stream on this node. */
    int connections();
}
