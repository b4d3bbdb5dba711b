package io.cm.server.config;

import io.cm.server.credentials.SecretHash;

import java.util.Set;

/**
 * A client of the token endpoint (RFC 6749 §4.4): its id, its secret as a hash, and the live streams
 * its tokens may read. An empty {@code streams} keeps the client known but withdraws its access.
 */
public record StreamClientSettings(String id, SecretHash secret, Set<String> streams) {
    public StreamClientSettings {
        streams = Set.copyOf(streams);
    }
}
