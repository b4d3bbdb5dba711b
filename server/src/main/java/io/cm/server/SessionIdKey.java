package io.cm.server;

import io.cm.server.config.ServerConfig;
import io.cm.server.ops.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The key that signs session ids. Configured ({@code idSecret}, needed when several nodes must
 * recognise each other's ids) or generated once and kept in the data directory, so ids issued
 * before a restart are still recognised after it. Whoever reads the file can forge session ids:
 * it is created owner-only, and an existing one readable by others is made owner-only.
 */
final class SessionIdKey {

    private static final String FILE = "session-id.key";

    private SessionIdKey() {
    }

    static byte[] load(ServerConfig config) {
        if (config.idSecret().isPresent()) return config.idSecret().get().getBytes(StandardCharsets.UTF_8);
        Path file = config.dataDir().resolve(FILE);
        try {
            if (Files.exists(file)) {
                OwnerOnlyFiles.restrict(file);
                return Files.readAllBytes(file);
            }
            OwnerOnlyFiles.createDirectories(config.dataDir());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            OwnerOnlyFiles.createFile(file, key);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the session id key " + file, e);
        }
    }
}
