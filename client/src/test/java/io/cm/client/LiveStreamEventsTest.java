package io.cm.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * Live-stream records arrive typed (SPEC §5): one class per event type, with the fields of that type,
 * and the JSON as it came; a record the client cannot type arrives as {@link SessionEvent.Unknown},
 * never dropped, never an exception. Every type is produced on a real server by the session client
 * itself; the untyped records come from a fake server.
 */
@Timeout(60)
class LiveStreamEventsTest {

    /** {@code player}: one stream at a time (LIFO); {@code fifo-player}: one, the latest wins. */
    private static final String CONFIG = """
            tenants:
              - id: t
                applications:
                  - {id: player, name: Player, policies: [one-stream]}
                  - {id: fifo-player, name: FIFO player, policies: [latest-wins]}
            policies:
              - name: one-stream
                rules: [{type: max-streams, limit: 1}]
              - name: latest-wins
                mode: FIFO
                rules: [{type: max-streams, limit: 1}]
            streams:
              - {name: events, tenant: t, tokens: [events-token]}
            """;

    private static RealServer server;

    @BeforeAll
    static void startServer() {
        server = RealServer.withConfig(CONFIG);
        server.post("player", "/v2/sessions/idp1/warm-up"); // a stream that never had an event answers 503
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void everyEventTypeArrivesAsItsOwnClassWithItsFields() throws Exception {
        List<SessionEvent> received = new CopyOnWriteArrayList<>();
        try (LiveStreamClient stream = LiveStreamClient.builder(Fixtures.streamUrl(server.port(), "events"), "events-token")
                .build();
             ConcurrencyClient player = ConcurrencyClient.builder(Fixtures.baseUrl(server), "player").build();
             ConcurrencyClient fifoPlayer = ConcurrencyClient.builder(Fixtures.baseUrl(server), "fifo-player").build()) {
            stream.subscribe(received::add, failure -> { });
            Fixtures.awaitLiveConnections(server, "events", 1);

            StreamSession tv = player.start("idp1", "s1", Map.of("deviceId", "tv"));
            tv.update(Map.of("quality", "hd"));
            ConcurrencyConflict refused = catchThrowableOfType(ConcurrencyConflict.class,
                    () -> player.start("idp1", "s1", Map.of("deviceId", "phone")));
            StreamSession phone = refused.retryTerminating(refused.sessions().get(0).terminationCode());
            phone.stop();
            StreamSession older = fifoPlayer.start("idp1", "s2", Map.of("deviceId", "tv"));
            StreamSession newer = fifoPlayer.start("idp1", "s2", Map.of("deviceId", "laptop"));
            StreamSession forgotten = player.start("idp1", "s3", Map.of("deviceId", "tv"));
            server.advanceClock(Duration.ofMinutes(2)); // past lease and grace: the next start finds it expired
            player.start("idp1", "s3", Map.of("deviceId", "tablet"));

            Await.until("one event of each type", () -> received.stream().map(SessionEvent::type).distinct().count() == 7);

            assertThat(only(received, SessionEvent.Started.class, tv.id())).satisfies(started -> {
                assertThat(started.type()).isEqualTo("session.started");
                assertThat(started.hitId()).isNotBlank();
                assertThat(started.timestamp()).isNotNull();
                assertThat(started.tenant()).isEqualTo("t");
                assertThat(started.applicationId()).isEqualTo("player");
                assertThat(started.applicationName()).isEqualTo("Player");
                assertThat(started.idp()).isEqualTo("idp1");
                assertThat(started.subject()).isEqualTo("s1");
                assertThat(started.terminationCode()).isEqualTo(refused.sessions().get(0).terminationCode());
                assertThat(started.metadata()).containsEntry("deviceId", "tv");
                assertThat(started.raw().path("sessionId").asText()).isEqualTo(tv.id());
            });
            assertThat(only(received, SessionEvent.Heartbeat.class, tv.id()).metadata()).containsEntry("quality", "hd");
            assertThat(received).filteredOn(SessionEvent.Denied.class::isInstance).singleElement()
                    .asInstanceOf(type(SessionEvent.Denied.class)).satisfies(denied -> {
                        assertThat(denied.subject()).isEqualTo("s1");
                        assertThat(denied.metadata()).containsEntry("deviceId", "phone");
                        assertThat(denied.violations()).singleElement().satisfies(violation -> {
                            assertThat(violation.threshold()).isEqualTo(1);
                            assertThat(violation.current()).isEqualTo(2);
                            assertThat(violation.conflicts()).extracting(ActiveSession::sessionId).containsExactly(tv.id());
                        });
                    });
            assertThat(only(received, SessionEvent.Killed.class, tv.id()).terminatedBy()).isEqualTo(phone.id());
            assertThat(only(received, SessionEvent.Stopped.class, phone.id()).subject()).isEqualTo("s1");
            assertThat(only(received, SessionEvent.Dismissed.class, older.id()).violations()).singleElement()
                    .satisfies(violation -> assertThat(violation.dismissedBy()).hasValue(newer.id()));
            assertThat(only(received, SessionEvent.Expired.class, forgotten.id()).applicationId()).isEqualTo("player");
        }
    }

    /** The one event of {@code type} about session {@code sessionId}. */
    private static <T extends SessionEvent.OfSession> T only(List<SessionEvent> events, Class<T> type, String sessionId) {
        List<T> matching = events.stream().filter(type::isInstance).map(type::cast)
                .filter(event -> event.sessionId().equals(sessionId)).toList();
        assertThat(matching).as("%s of %s", type.getSimpleName(), sessionId).hasSize(1);
        return matching.get(0);
    }

    @Test
    void recordsOfUnknownTypesOrMissingWhatTheirTypeNeedsArriveUntypedAsTheyCame() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            FaultServer.GzipChunks body = FaultServer.stream(exchange);
            body.send("{\"type\":\"stream.behind-retention\",\"partitions\":[3]}\r\n");
            body.send("{\"hit_id\":\"h-1\",\"type\":\"session.paused\",\"subject\":\"alice\"}\r\n");
            body.send("{\"hit_id\":\"h-2\",\"type\":\"session.started\",\"subject\":\"alice\"}\r\n");
            body.send("{\"hit_id\":\"h-3\",\"timestamp\":\"yesterday\",\"type\":\"session.stopped\"}\r\n");
            FaultServer.stall(exchange);
        }); LiveStreamClient client = LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token").build()) {
            Iterator<SessionEvent> events = client.events();

            List<SessionEvent> first = List.of(events.next(), events.next(), events.next(), events.next());

            assertThat(first).allSatisfy(event -> assertThat(event).isInstanceOf(SessionEvent.Unknown.class));
            assertThat(first).extracting(SessionEvent::type)
                    .containsExactly("stream.behind-retention", "session.paused", "session.started", "session.stopped");
            assertThat(first.get(0).raw().path("partitions").get(0).asInt()).isEqualTo(3);
            assertThat(first.get(1).raw().path("subject").asText()).isEqualTo("alice");
        }
    }
}
