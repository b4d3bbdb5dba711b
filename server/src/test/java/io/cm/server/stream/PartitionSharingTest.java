package io.cm.server.stream;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.assertStreamError;
import static io.cm.server.stream.StreamFixture.await;
import static io.cm.server.stream.StreamFixture.awaitConnections;
import static io.cm.server.stream.StreamFixture.start;
import static io.cm.server.stream.StreamFixture.startAll;
import static io.cm.server.stream.StreamFixture.subjects;
import static io.cm.server.stream.StreamFixture.subjectsOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * maxConnections (SPEC §6): the live connections of a stream share its partitions, so each
 * visitor's events go to exactly one of them, and no more connections than agreed are let in.
 */
class PartitionSharingTest {

    private static TestServer server;

    @BeforeAll
    static void start_() {
        server = TestServer.withConfig(StreamFixture.config("", "shared", "limited", "reassigned"));
        start(server, DEMO_APP, "warm-up");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void twoConnectionsGetDisjointVisitorsWhoseUnionIsEveryEvent() {
        List<String> visitors = subjects("shared-", 40);
        try (Collector a = new Collector(StreamClient.get(server, "/api/1/stream/shared?maxConnections=2"));
             Collector b = new Collector(StreamClient.get(server, "/api/1/stream/shared?maxConnections=2"))) {
            startAll(server, DEMO_APP, visitors);
            await("every visitor on one of the connections", () -> union(a, b).containsAll(visitors));

            Set<String> onA = subjectsOf(a.events());
            Set<String> onB = subjectsOf(b.events());
            assertThat(onA).as("visitors on both connections").doesNotContainAnyElementsOf(onB);
            assertThat(onA).as("a connection with no partition").isNotEmpty();
            assertThat(onB).as("a connection with no partition").isNotEmpty();
            assertThat(a.events().size() + b.events().size()).as("each event once").isEqualTo(visitors.size());
        }
    }

    @Test
    void aThirdConnectionOrOneAskingForAnotherMaxConnectionsIs409() {
        try (StreamClient a = StreamClient.get(server, "/api/1/stream/limited?maxConnections=2");
             StreamClient b = StreamClient.get(server, "/api/1/stream/limited?maxConnections=2");
             StreamClient third = StreamClient.get(server, "/api/1/stream/limited?maxConnections=2");
             StreamClient more = StreamClient.get(server, "/api/1/stream/limited?maxConnections=3")) {
            assertThat(List.of(a.status(), b.status())).containsExactly(200, 200);
            assertStreamError(third, 409, "too_many_connections");
            assertStreamError(more, 409, "max_connections_mismatch");
            assertThat(more.header("Retry-After")).isNotBlank();
        }
    }

    @Test
    void whenOneOfTwoConnectionsGoesTheOtherTakesOverAllPartitions() {
        List<String> visitors = subjects("reassigned-", 24);
        try (Collector stays = new Collector(StreamClient.get(server, "/api/1/stream/reassigned?maxConnections=2"))) {
            StreamClient.get(server, "/api/1/stream/reassigned?maxConnections=2").close();
            awaitConnections(server, "reassigned", 1);

            startAll(server, DEMO_APP, visitors);

            await("every visitor on the remaining connection", () -> subjectsOf(stays.events()).containsAll(visitors));
        }
    }

    private static Set<String> union(Collector a, Collector b) {
        Set<String> union = new HashSet<>(subjectsOf(a.events()));
        union.addAll(subjectsOf(b.events()));
        return union;
    }
}
