package io.cm.client;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * 429 (SPEC §2, §7): the client sends nothing until the instant the service named has passed, measured
 * on the service's clock ({@code Expires} − {@code Date}, or {@code Retry-After}; the client's own clock
 * is years away), and gives up after a bounded number of attempts; each call in both its forms. The real
 * server throttles after 200 calls a minute; a fault-injecting server throttles exactly the request a
 * test wants, and counts them.
 */
class ThrottlingTest {

    private static final String THROTTLED = """
            {"status":"error","error":{"code":"THROTTLED","message":"Too many requests"}}""";

    @RegisterExtension
    final Background background = new Background();

    private static void throttled(HttpExchange exchange, Map<String, String> headers) throws IOException {
        FaultServer.reply(exchange, 429, headers, THROTTLED);
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aThrottledStartIsNotSentAgainBeforeTheExpiresTheServerNamed(CallStyle style) throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) {
                throttled(exchange, Map.of("Retry-After", "30", "Expires", FaultServer.in(30)));
            } else {
                FaultServer.accepted(exchange, "s-1", 60);
            }
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            Future<StreamSession> start = background.call(() -> style.start(manual.client, "alice", Map.of("deviceId", "tv")));
            ManualScheduler.Entry wait = manual.scheduler.awaitEntry(0);
            assertThat(wait.delay()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(33));

            manual.scheduler.advance(wait.delay().minusMillis(1));
            assertThat(fault.requests()).as("nothing sent before Expires").hasSize(1);

            manual.scheduler.advance(Duration.ofMillis(1));
            assertThat(Background.outcome(start).id()).isEqualTo("s-1");
            assertThat(fault.requests()).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aThrottledCallWithOnlyRetryAfterWaitsThatLong(CallStyle style) throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) {
                throttled(exchange, Map.of("Retry-After", "7"));
            } else {
                FaultServer.reply(exchange, 200, Map.of(), "{\"runningStreams\":[],\"otherStreams\":0}");
            }
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            Future<RunningStreams> listing = background.call(() -> style.runningStreams(manual.client, "alice"));
            ManualScheduler.Entry wait = manual.scheduler.awaitEntry(0);
            assertThat(wait.delay()).isBetween(Duration.ofSeconds(7), Duration.ofMillis(7700));

            manual.scheduler.advance(wait.delay());

            assertThat(Background.outcome(listing).streams()).isEmpty();
            assertThat(fault.requests()).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aCallStillThrottledAfterItsAttemptsIsATypedThrottlingError(CallStyle style) throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> throttled(exchange, Map.of("Retry-After", "1")));
             ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            Future<RunningStreams> listing = background.call(() -> style.runningStreams(manual.client, "alice"));
            for (int wait = 0; wait < RetryPolicy.INTERACTIVE.maxAttempts() - 1; wait++) {
                manual.scheduler.advance(manual.scheduler.awaitEntry(wait).delay());
            }

            ConcurrencyException error = catchThrowableOfType(ConcurrencyException.class,
                    () -> Background.outcome(listing));

            assertThat(error.status()).hasValue(429);
            assertThat(error.code()).hasValue("THROTTLED");
            assertThat(fault.requests()).hasSize(RetryPolicy.INTERACTIVE.maxAttempts());
        }
    }

    @Test
    void aThrottledHeartbeatIsRetriedOnceTheWaitTheServerAskedHasPassed() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 1) throttled(exchange, Map.of("Retry-After", "10"));
            else FaultServer.accepted(exchange, "s-1", 60);
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            StreamSession session = manual.client.start("idp1", "alice", Map.of("deviceId", "tv"));
            manual.scheduler.advance(Duration.ofSeconds(55));
            assertThat(fault.requests()).hasSize(2);
            Duration retry = manual.scheduler.pendingDelays().get(0);
            assertThat(retry).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(11));

            manual.scheduler.advance(retry.minusMillis(1));
            assertThat(fault.requests()).as("nothing sent before Retry-After").hasSize(2);

            manual.scheduler.advance(Duration.ofMillis(1));
            assertThat(fault.requests()).hasSize(3);
            assertThat(session.isActive()).isTrue();
            assertThat(manual.scheduler.pendingDelays()).as("the next regular heartbeat").hasSize(1);
        }
    }
}
