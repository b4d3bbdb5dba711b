package io.cm.server.ops;

import io.cm.server.CmServer;
import io.cm.server.config.CommandLineOptions;
import io.cm.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §12: the key that signs session ids, and the data directory holding it, are the server user's only. */
class OwnerOnlyFilesTest {

    @TempDir
    Path dir;

    private static void startAndStop(Path dataDir) {
        CmServer.start(ConfigLoader.load(new CommandLineOptions(Optional.empty(), OptionalInt.of(0), Optional.of(dataDir),
                Optional.of("127.0.0.1")), Map.of()), Clock.systemUTC()).close();
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void aNewDataDirectoryIsOwnerOnlyAndSoIsTheGeneratedKey() throws IOException {
        Path dataDir = dir.resolve("new/data");
        startAndStop(dataDir);

        assertThat(permissions(dataDir)).isEqualTo("rwx------");
        assertThat(permissions(dir.resolve("new"))).isEqualTo("rwx------");
        assertThat(permissions(dataDir.resolve("session-id.key"))).isEqualTo("rw-------");
    }

    @Test
    void aKeyOthersCouldReadIsMadeOwnerOnlyAndKept() throws IOException {
        Path dataDir = Files.createDirectories(dir.resolve("data"));
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes();
        Path file = Files.write(dataDir.resolve("session-id.key"), key);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        startAndStop(dataDir);

        assertThat(permissions(file)).isEqualTo("rw-------");
        assertThat(Files.readAllBytes(file)).isEqualTo(key);
    }
}
