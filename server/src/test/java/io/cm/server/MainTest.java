package io.cm.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Start-up from the command line (SPEC §4): a bad config file stops the process with a message, not a stack trace. */
class MainTest {

    @TempDir
    Path dir;

    @Test
    void aBadConfigFileExitsWithStatus2AndNamesTheFileAndLine() throws IOException {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "server:\n  port: [1]\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int status;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            status = new CommandLine(new Main()).execute("--config", config.toString(), "--data-dir", dir.toString());
        } finally {
            System.setErr(original);
        }

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("cm-server: bad configuration: " + config + ": line 2")
                .contains("server.port");
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        assertThat(new CommandLine(new Main()).execute("--prot", "1")).isEqualTo(2);
    }
}
