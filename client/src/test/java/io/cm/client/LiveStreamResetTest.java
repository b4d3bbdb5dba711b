package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code reset=} (SPEC §6) repositions a stream: the client sends it until its first connection opens,
 * and never on a reconnect, which must go on where the lost connection stood instead of jumping back
 * to the oldest record (or ahead to the newest) every time.
 */
@Timeout(30)
class LiveStreamResetTest {

    private final ManualClock clock = Fixtures.localClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);

    @Test
    void theResetGoesWithEveryAttemptUntilAConnectionOpensAndWithNoReconnect() {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) {
                FaultServer.reply(exchange, 503, Map.of("Retry-After", "1"), "{\"error\":\"no_events\",\"error_description\":\"-\"}");
            } else {
                FaultServer.GzipChunks body = FaultServer.stream(exchange);
                body.send("{\"hit_id\":\"h-" + n + "\"}\r\n");
                if (n == 1) body.end(); // the first connection is lost
                else FaultServer.stall(exchange);
            }
        }); LiveStreamClient client = LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token")
                .reset(LiveStreamClient.Reset.SMALLEST).clock(clock).scheduler(scheduler).build()) {
            client.subscribe(event -> { }, failure -> { });

            scheduler.advance(scheduler.awaitEntry(0).delay()); // the wait after the 503
            scheduler.advance(scheduler.awaitEntry(2).delay()); // #1 is the first connection's watchdog
            Await.until("the reconnect", () -> fault.requests().size() == 3);

            assertThat(fault.requests()).extracting(request -> request.uri().getQuery()).containsExactly(
                    "maxConnections=1&reset=smallest",
                    "maxConnections=1&reset=smallest",
                    "maxConnections=1");
        }
    }

    @Test
    void aResetToTheSmallestReplaysWhatHappenedBeforeTheFirstConnection() {
        RealServer server = Fixtures.liveServer();
        String before = Fixtures.started(server, "before-the-reset");
        List<SessionEvent> received = new CopyOnWriteArrayList<>();
        try (LiveStreamClient client = LiveStreamClient.builder(Fixtures.streamUrl(server.port(), "reset"), "demo-token")
                .reset(LiveStreamClient.Reset.SMALLEST).build()) {

            client.subscribe(received::add, failure -> { });

            Await.until("the start that came before the connection", () -> received.stream()
                    .filter(SessionEvent.Started.class::isInstance).map(SessionEvent.Started.class::cast)
                    .anyMatch(started -> started.sessionId().equals(before)));
        }
    }
}
