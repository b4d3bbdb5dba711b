package io.cm.server;

import io.cm.server.config.ServerConfig;
import io.cm.server.ops.GeneratedKeyFile;

import java.nio.charset.StandardCharsets;

/**
 * The key that signs session ids. Configured ({@code idSecret}, needed when several nodes must
 * recognise each other's ids) or generated once and kept in the data directory, so ids issued
 * before a restart are still recognised after it.
 */
final class SessionIdKey {

    private SessionIdKey() {
    }

    static byte[] load(ServerConfig config) {
        if (config.idSecret().isPresent()) return config.idSecret().get().getBytes(StandardCharsets.UTF_8);
        return GeneratedKeyFile.load(config.dataDir(), "session-id.key", "session id key");
    }
}
