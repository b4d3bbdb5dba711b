package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.heartbeat;
import static io.cm.server.stream.StreamFixture.start;
import static org.assertj.core.api.Assertions.assertThat;

/** A stream configured with {@code types} carries only those event types; one without carries all. */
class EventTypeFilterTest {

    private static final String CONFIG = StreamFixture.config("", "everything") + """
              - {name: lifecycle, tenant: demo, tokens: [demo-token], types: [session.started, session.stopped]}
            """;

    @Test
    void aStreamOfStartsAndStopsLeavesOutHeartbeatsThatAStreamOfEverythingCarries() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            start(server, DEMO_APP, "warm-up");
            try (StreamClient lifecycle = StreamClient.get(server, "/api/1/stream/lifecycle");
                 StreamClient everything = StreamClient.get(server, "/api/1/stream/everything")) {
                String session = start(server, DEMO_APP, "viewer");
                heartbeat(server, DEMO_APP, "viewer", session);
                heartbeat(server, DEMO_APP, "viewer", session);
                assertThat(server.delete(DEMO_APP, "/v2/sessions/idp1/viewer/" + session).statusCode()).isEqualTo(202);

                assertThat(types(lifecycle.events(2))).containsExactly("session.started", "session.stopped");
                assertThat(types(everything.events(4)))
                        .containsExactly("session.started", "session.heartbeat", "session.heartbeat", "session.stopped");
            }
        }
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(event -> event.path("type").asText()).toList();
    }
}
