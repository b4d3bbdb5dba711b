package io.cm.server.events;

import java.util.Optional;

/**
 * What a connection asks of its stream's group (SPEC §6): how many connections the client holds
 * ({@code maxConnections}), a reposition ({@code reset}), and the name that lets it replace its own
 * stale connection ({@code clientId}).
 */
public record JoinRequest(int maxConnections, Optional<Reset> reset, Optional<String> clientId) {

    /** Where a stream with no other live connection starts: the oldest retained record, or the newest. */
    public enum Reset { SMALLEST, LARGEST }
}
