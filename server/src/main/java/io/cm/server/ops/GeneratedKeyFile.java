package io.cm.server.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * A random key generated once and kept in the data directory, so that what it signed before a restart
 * is still recognised after it. Whoever reads the file can forge what the key signs: it is created
 * owner-only, and an existing one readable by others is made owner-only.
 */
public final class GeneratedKeyFile {

    private static final int KEY_BYTES = 32;

    private GeneratedKeyFile() {
    }

    /** The key in {@code dataDir/fileName}, created first when missing; {@code what} names it in errors. */
    public static byte[] load(Path dataDir, String fileName, String what) {
        Path file = dataDir.resolve(fileName);
        try {
            if (Files.exists(file)) {
                OwnerOnlyFiles.restrict(file);
                return Files.readAllBytes(file);
            }
            OwnerOnlyFiles.createDirectories(dataDir);
            byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            OwnerOnlyFiles.createFile(file, key);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the " + what + " " + file, e);
        }
    }
}
