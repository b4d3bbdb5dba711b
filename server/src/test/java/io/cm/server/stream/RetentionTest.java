package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.awaitConnections;
import static io.cm.server.stream.StreamFixture.awaitStored;
import static io.cm.server.stream.StreamFixture.heartbeat;
import static io.cm.server.stream.StreamFixture.start;
import static io.cm.server.stream.StreamFixture.subject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Retention bounds the log (SPEC §6); a consumer whose next events were removed by it is told with
 * a {@code stream.behind-retention} record and closed, and the next connection goes on from the
 * oldest retained event. 8 partitions of 10 events here, in segments of 2 (an eighth, rounded up)
 * deleted whole: a partition keeps 10 or 11. One visitor's 15 events overflow its partition.
 */
class RetentionTest {

    private static final String CONFIG = StreamFixture.config("""
            delivery:
              partitions: 8
              retention-count: 80
              keepalive: 500ms
            """, "stream");
    private static final int RETAINED_PER_PARTITION = 10;
    private static final int SEGMENT_RECORDS = 2;
    private static final int VISITOR_EVENTS = 15;

    @Test
    void resetSmallestReplaysOnlyWhatRetentionKept() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            start(server, DEMO_APP, "warm-up");
            fifteenEvents(server, "kept");
            awaitStored(server, 1 + VISITOR_EVENTS);

            try (StreamClient stream = StreamClient.get(server, "/api/1/stream/stream?reset=smallest")) {
                List<JsonNode> kept = stream.eventsUntilIdle().stream().filter(e -> subject(e).equals("kept")).toList();

                assertThat(kept).hasSizeBetween(RETAINED_PER_PARTITION, RETAINED_PER_PARTITION + SEGMENT_RECORDS - 1)
                        .allSatisfy(event -> assertThat(event.path("type").asText()).isEqualTo("session.heartbeat"));
            }
        }
    }

    @Test
    void aConsumerBehindRetentionIsToldAndClosedAndTheNextConnectionContinuesWithTheOldestRetained() {
        try (TestServer server = TestServer.withConfig(CONFIG)) {
            start(server, DEMO_APP, "warm-up");
            StreamClient.get(server, "/api/1/stream/stream").close();
            awaitConnections(server, "stream", 0);
            fifteenEvents(server, "far");
            awaitStored(server, 1 + VISITOR_EVENTS);

            try (StreamClient behind = StreamClient.get(server, "/api/1/stream/stream")) {
                JsonNode marker = behind.events(1).getFirst();
                assertThat(marker.path("type").asText()).isEqualTo("stream.behind-retention");
                assertThat(marker.path("partitions")).hasSize(1);
                assertThatCode(behind::rest).as("the connection is closed after the marker").doesNotThrowAnyException();
            }
            try (StreamClient next = StreamClient.get(server, "/api/1/stream/stream")) {
                List<JsonNode> events = next.eventsUntilIdle();

                assertThat(events).hasSizeBetween(RETAINED_PER_PARTITION, RETAINED_PER_PARTITION + SEGMENT_RECORDS - 1)
                        .allSatisfy(event -> assertThat(subject(event)).isEqualTo("far"));
            }
        }
    }

    /** A start and 14 heartbeats of one visitor: 15 events in its one partition. */
    private static void fifteenEvents(TestServer server, String subject) {
        String session = start(server, DEMO_APP, subject);
        for (int i = 1; i < VISITOR_EVENTS; i++) heartbeat(server, DEMO_APP, subject, session);
    }
}
