package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.start;
import static io.cm.server.stream.StreamFixture.startAll;
import static io.cm.server.stream.StreamFixture.subject;
import static io.cm.server.stream.StreamFixture.subjects;
import static io.cm.server.stream.StreamFixture.subjectsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The seed's problem (SPEC §6 (b)): a client that reconnects while its old connection still holds
 * the slot names the same clientId and replaces it at once, without a 409 and without losing events.
 */
class ClientIdReplacementTest {

    private static TestServer server;

    @BeforeAll
    static void start_() {
        // A generous replay margin: the abandoned socket's unread records must still count as unsent
        // however slowly this machine runs the test.
        server = TestServer.withConfig(StreamFixture.config("delivery:\n  replay-margin: 1m\n", "query", "header"));
        start(server, DEMO_APP, "warm-up");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aConnectionWithTheClientIdOfALiveOneReplacesItAtOnceAndNoEventOfTheGapIsLost() {
        String path = "/api/1/stream/query?clientId=reader-1";
        try (StreamClient old = StreamClient.get(server, path)) {
            start(server, DEMO_APP, "before-gap");
            assertThat(subject(old.events(1).getFirst())).isEqualTo("before-gap");
            // The client stops reading, as one whose network went away: the server still sees a live connection.
            List<String> gap = subjects("gap-", 6);
            startAll(server, DEMO_APP, gap);

            try (StreamClient replacement = StreamClient.get(server, path)) {
                assertThat(replacement.status()).as("replacement, not 409").isEqualTo(200);
                start(server, DEMO_APP, "after-gap");

                Set<String> received = subjectsOf(replacement.eventsUntil(event -> subject(event).equals("after-gap")));
                assertThat(received).containsAll(gap);
                assertThatCode(old::rest).as("the replaced connection ends").doesNotThrowAnyException();
            }
        }
    }

    @Test
    void theXClientIdHeaderNamesTheClientLikeTheQueryParameter() {
        try (StreamClient old = StreamClient.request(server, "/api/1/stream/header").header("X-Client-Id", "reader-2").open();
             StreamClient replacement = StreamClient.request(server, "/api/1/stream/header")
                     .header("X-Client-Id", "reader-2").open();
             StreamClient stranger = StreamClient.get(server, "/api/1/stream/header")) {
            assertThat(old.status()).isEqualTo(200);
            assertThat(replacement.status()).isEqualTo(200);
            assertThat(stranger.status()).as("no clientId: the slot is taken").isEqualTo(409);
        }
    }
}
