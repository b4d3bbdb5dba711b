package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.start;
import static org.assertj.core.api.Assertions.assertThat;

/** The seed's problem (SPEC §6 (a)): a connection lost without a clean close must not hold its slot for long. */
class DeadConnectionTest {

    private static final Duration SLOT_FREED_WITHIN = Duration.ofSeconds(10);
    private static TestServer server;

    @BeforeAll
    static void start_() {
        server = TestServer.withConfig(StreamFixture.config("", "single"));
        start(server, DEMO_APP, "warm-up");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void afterAnAbruptLossANewConnectionIsAcceptedWithinTenSeconds() throws InterruptedException {
        StreamClient lost = StreamClient.get(server, "/api/1/stream/single");
        assertThat(lost.status()).isEqualTo(200);

        lost.reset();

        long deadline = System.nanoTime() + SLOT_FREED_WITHIN.toNanos();
        int status;
        do {
            try (StreamClient next = StreamClient.get(server, "/api/1/stream/single")) {
                status = next.status();
            }
            if (status == 409) Thread.sleep(100);
        } while (status == 409 && System.nanoTime() < deadline);
        assertThat(status).as("a new connection within %s of the loss", SLOT_FREED_WITHIN).isEqualTo(200);
    }
}
