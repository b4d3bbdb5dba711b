package io.cm.server;

import io.cm.server.config.ServerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * The key that signs session ids. Configured ({@code idSecret}, needed when several nodes must
 * recognise each other's ids) or generated once and kept in the data directory, so ids issued
 * before a restart are still recognised after it.
 */
final class SessionIdKey {

    private static final String FILE = "session-id.key";

    private SessionIdKey() {
    }

    static byte[] load(ServerConfig config) {
        if (config.idSecret().isPresent()) return config.idSecret().get().getBytes(StandardCharsets.UTF_8);
        Path file = config.dataDir().resolve(FILE);
        try {
            if (Files.exists(file)) return Files.readAllBytes(file);
            Files.createDirectories(config.dataDir());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.write(file, key, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the session id key " + file, e);
        }
    }
}
