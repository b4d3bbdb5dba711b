package io.cm.server;

import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigLoader;
import io.cm.server.ops.DataDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §12: the key that signs session ids, and the data directory holding it, are the server user's only. */
class OwnerOnlyFilesTest {

    @TempDir
    Path dir;

    /** What {@link CmServer#start} does with the data directory before anything else. */
    private static byte[] prepareAndLoadKey(Path dataDir) {
        DataDirectory.prepare(dataDir);
        return SessionIdKey.load(ConfigLoader.load(new CommandLineOptions(Optional.empty(), OptionalInt.of(0),
                Optional.of(dataDir)), Map.of()));
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void aNewDataDirectoryIsOwnerOnlyAndSoIsTheGeneratedKey() throws IOException {
        Path dataDir = dir.resolve("new/data");
        byte[] key = prepareAndLoadKey(dataDir);

        assertThat(permissions(dataDir)).isEqualTo("rwx------");
        assertThat(permissions(dir.resolve("new"))).isEqualTo("rwx------");
        assertThat(permissions(dataDir.resolve("session-id.key"))).isEqualTo("rw-------");
        assertThat(prepareAndLoadKey(dataDir)).as("the same key after a restart").isEqualTo(key).hasSize(32);
    }

    @Test
    void aKeyOthersCouldReadIsMadeOwnerOnlyAndKept() throws IOException {
        Path dataDir = Files.createDirectories(dir.resolve("data"));
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes();
        Path file = Files.write(dataDir.resolve("session-id.key"), key);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(prepareAndLoadKey(dataDir)).isEqualTo(key);
        assertThat(permissions(file)).isEqualTo("rw-------");
    }
}
