package io.cm.server.stream;

import io.cm.server.TestServer;
import io.cm.server.events.kafka.KafkaBrokerProcess;
import io.cm.server.events.kafka.SharedBroker;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.assertStreamError;
import static io.cm.server.stream.StreamFixture.await;
import static io.cm.server.stream.StreamFixture.heartbeat;
import static io.cm.server.stream.StreamFixture.start;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When only Kafka is down (SPEC §8): decisions go on (202), their events wait in the publisher's
 * buffer, the live stream and readiness answer 503 with Retry-After, and once the broker is back
 * the events are delivered to a consumer that resumes.
 */
class KafkaOutageTest {

    private static final String STREAM = "/api/1/stream/outage?clientId=watcher";

    @Test
    void withTheBrokerStoppedDecisionsGoOnTheStreamIs503AndTheEventsArriveOnceItIsBack() {
        KafkaBrokerProcess broker = SharedBroker.broker();
        try (TestServer server = TestServer.withConfig(StreamFixture.config("", "outage"), SharedBroker.onKafka("outage"))) {
            start(server, DEMO_APP, "warm-up");
            await("the stream to be served", () -> {
                try (StreamClient first = StreamClient.get(server, STREAM)) {
                    if (first.status() != 200) return false;
                    first.finish();
                    return true;
                }
            });
            String before = start(server, DEMO_APP, "viewer");

            broker.stop();
            try {
                List<String> duringOutage = List.of(start(server, DEMO_APP, "outage-1"), start(server, DEMO_APP, "outage-2"),
                        start(server, DEMO_APP, "outage-3"));
                heartbeat(server, DEMO_APP, "viewer", before);
                await("the stream to notice the broker is gone", () -> {
                    try (StreamClient attempt = StreamClient.get(server, STREAM)) {
                        return attempt.status() == 503;
                    }
                });
                try (StreamClient refused = StreamClient.get(server, STREAM)) {
                    assertStreamError(refused, 503, "events_unavailable");
                    assertThat(refused.header("Retry-After")).isNotBlank();
                }
                assertThat(server.get("none", "/health").statusCode()).as("not ready without Kafka").isEqualTo(503);

                long storedBefore = stored(server);
                broker.restart();
                await("the buffered events to be stored once the broker is back", () -> stored(server) >= storedBefore + 4);
                Set<String> received = new HashSet<>();
                await("the stream to be served again, with what was decided during the outage", () -> {
                    try (StreamClient resumed = StreamClient.get(server, STREAM)) {
                        if (resumed.status() != 200) return false;
                        while (!received.containsAll(duringOutage)) {
                            received.addAll(resumed.events(1).stream().map(event -> event.path("sessionId").asText())
                                    .collect(Collectors.toSet()));
                        }
                        resumed.finish();
                        return true;
                    }
                });
                assertThat(received).containsAll(duringOutage);
            } finally {
                if (!broker.running()) broker.restart();
            }
        }
    }

    /** Events the broker acknowledged ({@code cm_events_appended_total}). */
    private static long stored(TestServer server) {
        return server.get("none", "/metrics").body().lines().filter(line -> line.startsWith("cm_events_appended_total "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring("cm_events_appended_total ".length())))
                .sum();
    }
}
