package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import io.cm.server.events.kafka.SharedBroker;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded duplicates (SPEC §6): a consumer that reconnects over and over with one clientId, each
 * connection short and closed cleanly, while events flow, is sent each event once plus at most the
 * writes in flight at each close — never everything again — and misses none. On both backends.
 */
class ReconnectStormTest {

    private static final int CONNECTIONS = 100;
    /**
     * What a clean reconnect may repeat: the records of a write still in flight when the consumer
     * closed. At this test's pace (an event every 20 ms, a write per event or two) that is one or two.
     */
    private static final int REPLAY_PER_RECONNECT = 2;
    private static final String STREAM = "/api/1/stream/storm?clientId=stormy";

    @Test
    void aStormOfShortConnectionsOnTheEmbeddedLogIsSentEachEventOnceAndMissesNone() {
        try (TestServer server = TestServer.withConfig(StreamFixture.config("", "storm"))) {
            storm(server);
        }
    }

    @Test
    void aStormOfShortConnectionsThroughKafkaIsSentEachEventOnceAndMissesNone() {
        try (TestServer server = TestServer.withConfig(StreamFixture.config("", "storm"), SharedBroker.onKafka("storm"))) {
            storm(server);
        }
    }

    private static void storm(TestServer server) {
        StreamFixture.start(server, DEMO_APP, "warm-up");
        await("the stream to be served", () -> {
            try (StreamClient first = StreamClient.get(server, STREAM)) {
                if (first.status() != 200) return false;
                first.finish();
                return true;
            }
        });
        List<String> produced = new CopyOnWriteArrayList<>();
        AtomicBoolean storming = new AtomicBoolean(true);
        Thread producer = Thread.ofVirtual().start(() -> {
            for (int i = 0; storming.get(); i++) {
                produced.add(StreamFixture.start(server, DEMO_APP, "storm-" + i));
                sleep(20);
            }
        });
        Set<String> received = new HashSet<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (StreamClient connection = StreamClient.get(server, STREAM)) {
                    assertThat(connection.status()).as("connection %d", i).isEqualTo(200);
                    received.addAll(sessions(connection.events(1)));
                    received.addAll(sessions(connection.finish()));
                }
            }
        } finally {
            storming.set(false);
            join(producer);
        }
        try (StreamClient last = StreamClient.get(server, STREAM)) {
            String lastSession = produced.getLast();
            while (!received.contains(lastSession)) received.addAll(sessions(last.events(1)));
            received.addAll(sessions(last.finish()));
        }

        long sent = recordsSent(server);
        System.out.printf("reconnect storm: %d events, %d records sent over %d connections%n", produced.size(), sent,
                CONNECTIONS + 2);
        assertThat(received).as("every event reached the consumer").containsAll(produced);
        long bound = produced.size() + 1 + (long) (CONNECTIONS + 1) * REPLAY_PER_RECONNECT;
        assertThat(sent).as("records sent for %d events over %d connections", produced.size(), CONNECTIONS + 2)
                .isBetween((long) produced.size(), bound);
    }

    private static List<String> sessions(List<JsonNode> events) {
        return events.stream().map(event -> event.path("sessionId").asText()).toList();
    }

    private static long recordsSent(TestServer server) {
        String prefix = "cm_live_stream_records_sent_total{stream=\"storm\"} ";
        return server.get("none", "/metrics").body().lines().filter(line -> line.startsWith(prefix))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(prefix.length()))).sum();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
