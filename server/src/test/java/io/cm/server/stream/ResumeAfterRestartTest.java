package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.awaitConnections;
import static io.cm.server.stream.StreamFixture.start;
import static io.cm.server.stream.StreamFixture.startsOf;
import static org.assertj.core.api.Assertions.assertThat;

/** Events and stream positions are on disk (SPEC §6): a restart within the resume window loses no event. */
class ResumeAfterRestartTest {

    private static final String CONFIG = StreamFixture.config("", "restarted");

    @Test
    void aReconnectWithinTheResumeWindowAfterARestartGetsEveryEventItHadNotBeenSent() {
        Path dataDir;
        String delivered;
        String whileAway;
        try (TestServer before = TestServer.withConfig(CONFIG)) {
            dataDir = before.dataDir();
            start(before, DEMO_APP, "warm-up");
            try (StreamClient stream = StreamClient.get(before, "/api/1/stream/restarted")) {
                delivered = start(before, DEMO_APP, "visitor");
                assertThat(startsOf(stream, "visitor", delivered)).containsExactly(delivered);
            }
            awaitConnections(before, "restarted", 0);
            // Accepted just before the server stops: it must still be stored.
            whileAway = start(before, DEMO_APP, "visitor");
        }

        try (TestServer after = TestServer.withConfig(CONFIG, dataDir)) {
            after.clock.advance(Duration.ofMinutes(5));
            String afterRestart = start(after, DEMO_APP, "visitor");
            try (StreamClient stream = StreamClient.get(after, "/api/1/stream/restarted")) {
                String last = start(after, DEMO_APP, "visitor");

                // At-least-once: the delivered one may come again; none of the others may be missing.
                assertThat(startsOf(stream, "visitor", last)).containsSubsequence(whileAway, afterRestart, last)
                        .doesNotHaveDuplicates();
            }
        }
    }
}
