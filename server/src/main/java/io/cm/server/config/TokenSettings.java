package io.cm.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Access tokens of the live streams (YAML: {@code server.token-secret}, {@code server.token-lifetime},
 * the {@code stream-clients} list).
 *
 * @param secret   the key that signs tokens; when empty it is derived from {@code server.id-secret}, or
 *                 generated and kept in the data directory when that is empty too
 * @param lifetime how long an issued token is accepted
 * @param clients  who may obtain tokens
 */
public record TokenSettings(Optional<String> secret, Duration lifetime, List<StreamClientSettings> clients) {

    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    public TokenSettings {
        clients = List.copyOf(clients);
        if (lifetime.toSeconds() < 1) throw new IllegalArgumentException("server.token-lifetime must be at least 1s");
    }
}
