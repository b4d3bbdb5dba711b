package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused connections (SPEC §6–§7, the seed's 409/503): the client waits {@code Retry-After}, else a
 * back-off growing from the reconnect delay; attempts in a row are bounded and the failure is
 * reported; a refusal that cannot change ends it at once. A fake server refuses and counts attempts.
 */
@Timeout(30)
class LiveStreamRefusalTest {

    private final ManualClock clock = Fixtures.localClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<LiveStreamException> failures = new CopyOnWriteArrayList<>();

    private static FaultServer refusing(int status, Map<String, String> headers) {
        return FaultServer.start((exchange, n) -> FaultServer.reply(exchange, status, headers,
                "{\"error\":\"too_many_connections\",\"error_description\":\"refused by the test\"}"));
    }

    private LiveStreamClient subscribe(FaultServer fault, int maxAttempts) {
        LiveStreamClient client = LiveStreamClient.builder(fault.uri("/api/1/stream/demo"), "demo-token")
                .maxAttempts(maxAttempts).clock(clock).scheduler(scheduler).build();
        client.subscribe(record -> { }, failures::add);
        return client;
    }

    private static void awaitAttempts(FaultServer fault, int count) {
        Await.until(count + " attempts", () -> fault.requests().size() == count);
    }

    @Test
    void aRefusalWithRetryAfterIsNotAskedAgainSooner() {
        try (FaultServer fault = refusing(409, Map.of("Retry-After", "10")); LiveStreamClient ignored = subscribe(fault, 10)) {
            awaitAttempts(fault, 1);
            Duration wait = scheduler.awaitEntry(0).delay();
            assertThat(wait).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(12));

            scheduler.advance(wait.minusMillis(1));
            assertThat(fault.requests()).as("nothing before Retry-After").hasSize(1);

            scheduler.advance(Duration.ofMillis(1));
            awaitAttempts(fault, 2);
        }
    }

    @Test
    void withoutRetryAfterTheWaitStartsAtTheReconnectDelayAndDoubles() {
        try (FaultServer fault = refusing(500, Map.of()); LiveStreamClient ignored = subscribe(fault, 10)) {
            Duration first = scheduler.awaitEntry(0).delay();
            scheduler.advance(first);
            awaitAttempts(fault, 2);
            Duration second = scheduler.awaitEntry(1).delay();

            assertThat(first).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(72));
            assertThat(second).isBetween(Duration.ofSeconds(120), Duration.ofSeconds(144));
        }
    }

    @Test
    void attemptsThatFailInARowAreBoundedAndTheFailureIsReported() {
        try (FaultServer fault = refusing(503, Map.of("Retry-After", "1")); LiveStreamClient ignored = subscribe(fault, 3)) {
            for (int wait = 0; wait < 2; wait++) scheduler.advance(scheduler.awaitEntry(wait).delay());

            Await.until("the failure", () -> !failures.isEmpty());
            assertThat(fault.requests()).hasSize(3);
            assertThat(failures).singleElement().satisfies(failure -> {
                assertThat(failure.status()).hasValue(503);
                assertThat(failure).hasMessageContaining("3 attempts");
            });
            assertThat(scheduler.pendingDelays()).as("no further attempt").isEmpty();
        }
    }

    @Test
    void aRefusalThatCannotChangeEndsAtOnce() {
        try (FaultServer fault = refusing(401, Map.of()); LiveStreamClient ignored = subscribe(fault, 10)) {

            Await.until("the failure", () -> !failures.isEmpty());

            assertThat(failures.get(0).status()).hasValue(401);
            assertThat(fault.requests()).hasSize(1);
            assertThat(scheduler.scheduledCount()).isZero();
        }
    }
}
