package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.assertStreamError;
import static io.cm.server.stream.StreamFixture.await;
import static io.cm.server.stream.StreamFixture.heartbeat;
import static io.cm.server.stream.StreamFixture.start;
import static io.cm.server.stream.StreamFixture.startAll;
import static io.cm.server.stream.StreamFixture.startedSubjects;
import static io.cm.server.stream.StreamFixture.subject;
import static io.cm.server.stream.StreamFixture.subjects;
import static io.cm.server.stream.StreamFixture.subjectsOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes, one Redis, one Kafka broker (SPEC §8): a live connection to any node receives the
 * events of all nodes, each visitor's in the order they were decided (on one node: see the README
 * for visitors whose events are decided on two nodes within milliseconds), and the live connections of a stream behave as one consumer group across
 * nodes — maxConnections, clientId takeover and resuming where the stream stood all hold.
 */
class KafkaNodesTest {

    private static KafkaNodes nodes;

    @BeforeAll
    static void start_() {
        nodes = KafkaNodes.start("nodes", "everything", "limited", "takeover", "resumed");
        nodes.awaitWarmedUp();
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    @Test
    void eventsDecidedOnBothNodesAllArriveOnAConnectionToOneOfThemInEachVisitorsOrder() {
        try (StreamClient stream = StreamClient.get(nodes.b, "/api/1/stream/everything")) {
            assertThat(stream.status()).isEqualTo(200);
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                var node = i % 2 == 0 ? nodes.a : nodes.b;
                String subject = (i % 2 == 0 ? "a-visitor-" : "b-visitor-") + (i % 3);
                String session = start(node, DEMO_APP, subject);
                heartbeat(node, DEMO_APP, subject, session);
                heartbeat(node, DEMO_APP, subject, session);
                sessions.add(session);
            }

            Set<String> pending = new HashSet<>(sessions);
            List<JsonNode> events = stream.eventsUntil(event -> {
                if (event.path("type").asText().equals("session.heartbeat")) pending.remove(event.path("sessionId").asText());
                return pending.isEmpty();
            });
            for (String session : sessions) {
                List<String> types = events.stream().filter(event -> event.path("sessionId").asText().equals(session))
                        .map(event -> event.path("type").asText()).toList();
                assertThat(types).as("session %s, in the order it was decided", session)
                        .startsWith("session.started", "session.heartbeat");
            }
        }
    }

    @Test
    void twoConnectionsAcrossNodesFillMaxConnectionsOfTwoAndAThirdOnEitherNodeIs409() {
        try (StreamClient onA = StreamClient.get(nodes.a, "/api/1/stream/limited?maxConnections=2");
             StreamClient onB = StreamClient.get(nodes.b, "/api/1/stream/limited?maxConnections=2")) {
            assertThat(List.of(onA.status(), onB.status())).containsExactly(200, 200);
            for (var node : List.of(nodes.a, nodes.b)) {
                try (StreamClient third = StreamClient.get(node, "/api/1/stream/limited?maxConnections=2");
                     StreamClient other = StreamClient.get(node, "/api/1/stream/limited?maxConnections=3")) {
                    assertStreamError(third, 409, "too_many_connections");
                    assertThat(third.header("Retry-After")).isNotBlank();
                    assertStreamError(other, 409, "max_connections_mismatch");
                }
            }
        }
    }

    @Test
    void aClientIdTakesItsConnectionOverFromTheOtherNodeAndLosesNothing() {
        String path = "/api/1/stream/takeover?clientId=reader-1";
        try (StreamClient old = StreamClient.get(nodes.a, path)) {
            assertThat(old.status()).isEqualTo(200);
            start(nodes.a, DEMO_APP, "before-takeover");
            assertThat(subject(old.events(1).getFirst())).isEqualTo("before-takeover");
            // The reader stops reading, as one whose network went away; its connection stays open on node A.
            List<String> gap = subjects("takeover-gap-", 6);
            startAll(nodes.b, DEMO_APP, gap);

            try (StreamClient replacement = StreamClient.get(nodes.b, path)) {
                assertThat(replacement.status()).as("replacement on node B, not 409").isEqualTo(200);
                start(nodes.a, DEMO_APP, "after-takeover");

                Set<String> received = subjectsOf(replacement.eventsUntil(event -> subject(event).equals("after-takeover")));
                assertThat(received).containsAll(gap);
            }
        }
    }

    @Test
    void aConsumerThatReconnectsToTheOtherNodeResumesWhereItStoodWithNothingMissing() {
        Set<String> received = new HashSet<>();
        List<String> before = subjects("resume-before-", 5);
        try (StreamClient first = StreamClient.get(nodes.a, "/api/1/stream/resumed")) {
            startAll(nodes.a, DEMO_APP, before);
            while (!received.containsAll(before)) received.addAll(startedSubjects(first.events(1)));
        }
        List<String> whileAway = subjects("resume-away-", 8);
        startAll(nodes.b, DEMO_APP, whileAway);

        try (StreamClient second = StreamClient.get(nodes.b, "/api/1/stream/resumed")) {
            assertThat(second.status()).isEqualTo(200);
            start(nodes.a, DEMO_APP, "resume-after");
            received.addAll(subjectsOf(second.eventsUntil(event -> subject(event).equals("resume-after"))));
        }

        assertThat(received).containsAll(whileAway).contains("resume-after");
    }

    @Test
    void aStreamWhoseTenantNeverHadAnEventIs503OnEveryNode() {
        for (var node : List.of(nodes.a, nodes.b)) {
            try (StreamClient quiet = StreamClient.get(node, "/api/1/stream/quiet")) {
                assertStreamError(quiet, 503, "no_events_yet");
                assertThat(quiet.header("Retry-After")).isNotBlank();
            }
        }
        await("the other tenant's stream", () -> {
            start(nodes.a, StreamFixture.OTHER_APP, "other-visitor");
            try (StreamClient other = StreamClient.get(nodes.b, "/api/1/stream/other")) {
                return other.status() == 200;
            }
        });
    }
}
