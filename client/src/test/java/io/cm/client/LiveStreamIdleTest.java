package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection that goes silent, without even the keepalives the service sends at least every 5 s, is
 * taken for lost after the idle timeout (30 s) and replaced after the reconnect delay: a vanished
 * network path would otherwise block the reading forever. A consumer's own slowness is not silence.
 * A fake server answers, then sends nothing, or a record the consumer takes its time with.
 */
@Timeout(30)
class LiveStreamIdleTest {

    private final ManualClock clock = Fixtures.localClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);

    @Test
    void aConnectionSilentForTheIdleTimeoutIsReplacedAfterTheReconnectDelay() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            // The answer, then not a byte: nothing the client reads can move its idle time (a keepalive
            // read late, as time moves, would).
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().flush();
            FaultServer.stall(exchange);
        }); LiveStreamClient client = LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token")
                .clock(clock).scheduler(scheduler).build()) {
            client.subscribe(record -> { }, failure -> { });
            ManualScheduler.Entry watchdog = scheduler.awaitEntry(0);
            assertThat(watchdog.delay()).isEqualTo(Duration.ofSeconds(30));

            scheduler.advance(watchdog.delay());
            Duration wait = scheduler.awaitEntry(1).delay();
            assertThat(fault.requests()).hasSize(1);
            scheduler.advance(wait);

            Await.until("a new connection", () -> fault.requests().size() == 2);
        }
    }

    @Test
    void aConsumerSlowerThanTheIdleTimeoutKeepsItsConnection() throws Exception {
        CountDownLatch consumerBusy = new CountDownLatch(1);
        CountDownLatch consumerDone = new CountDownLatch(1);
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            FaultServer.stream(exchange).send("{\"hit_id\":\"a\"}\r\n");
            FaultServer.stall(exchange);
        }); LiveStreamClient client = LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token")
                .clock(clock).scheduler(scheduler).build()) {
            client.subscribe(record -> {
                consumerBusy.countDown();
                await(consumerDone);
            }, failure -> { });
            await(consumerBusy);

            scheduler.advance(Duration.ofMinutes(5));
            consumerDone.countDown();

            assertThat(fault.requests()).as("still the first connection").hasSize(1);
            assertThat(scheduler.pendingDelays()).as("only the watchdog, no reconnect wait")
                    .allMatch(delay -> delay.compareTo(Duration.ofSeconds(30)) <= 0);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
