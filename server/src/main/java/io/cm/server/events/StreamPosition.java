package io.cm.server.events;

import java.util.List;

/**
 * What a live stream remembers between its connections: when a connection of it was last live
 * ({@code lastActive}, epoch ms of the server's clock) and, per partition, the offset to continue from.
 */
public record StreamPosition(long lastActive, List<Long> offsets) {
    public StreamPosition {
        offsets = List.copyOf(offsets);
    }
}
