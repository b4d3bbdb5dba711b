package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Network failures (SPEC §7): bounded retries with jittered back-off, then a typed error; a start whose
 * answer was lost is not sent twice (it may have created a session). Faults from a closed port and
 * from a fake server that drops connections without answering; each call in both its forms.
 */
class NetworkFailureTest {

    @RegisterExtension
    final Background background = new Background();

    /** A fake service whose every answer is lost on the way. */
    private static FaultServer cuttingShort() {
        return FaultServer.start((exchange, n) -> FaultServer.cutShort(exchange));
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void anUnreachableServiceIsRetriedWithDoublingJitteredBackoffThenATypedError(CallStyle style) throws Exception {
        try (ManualTimeClient manual = ManualTimeClient.of(closedPort())) {
            Future<RunningStreams> listing = background.call(() -> style.runningStreams(manual.client, "alice"));
            Duration ceiling = Duration.ofMillis(500);
            for (int wait = 0; wait < RetryPolicy.INTERACTIVE.maxAttempts() - 1; wait++, ceiling = ceiling.multipliedBy(2)) {
                Duration delay = manual.scheduler.awaitEntry(wait).delay();
                assertThat(delay).as("wait %d", wait).isBetween(ceiling.dividedBy(2), ceiling);
                manual.scheduler.advance(delay);
            }

            ConcurrencyException error = catchThrowableOfType(ConcurrencyException.class, () -> Background.outcome(listing));

            assertThat(error.status()).as("no answer").isEmpty();
            assertThat(error).hasCauseInstanceOf(ConnectException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aStartWhoseAnswerIsLostIsNotSentAgain(CallStyle style) throws Exception {
        try (FaultServer fault = cuttingShort(); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {

            ConcurrencyException error = catchThrowableOfType(ConcurrencyException.class,
                    () -> style.start(manual.client, "alice", Map.of("deviceId", "tv")));

            assertThat(error).hasMessageContaining("not sent again");
            assertThat(fault.requests()).hasSize(1);
            assertThat(manual.scheduler.scheduledCount()).as("no retry waited for").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aListingWhoseAnswerIsLostIsAskedAgain(CallStyle style) throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) FaultServer.cutShort(exchange);
            else FaultServer.reply(exchange, 200, Map.of(), "{\"runningStreams\":[],\"otherStreams\":2}");
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            Future<RunningStreams> listing = background.call(() -> style.runningStreams(manual.client, "alice"));

            manual.scheduler.advance(manual.scheduler.awaitEntry(0).delay());

            assertThat(Background.outcome(listing).otherStreams()).isEqualTo(2);
            assertThat(fault.requests()).hasSize(2);
        }
    }

    @Test
    void heartbeatsThatGetNoAnswerAreRetriedThenEndInFailed() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) FaultServer.accepted(exchange, "s-1", 60);
            else FaultServer.cutShort(exchange);
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            StreamSession session = manual.client.start("idp1", "alice", Map.of("deviceId", "tv"));
            RecordingListener listener = new RecordingListener();
            session.setListener(listener);

            for (List<Duration> pending = manual.scheduler.pendingDelays(); !pending.isEmpty();
                 pending = manual.scheduler.pendingDelays()) {
                manual.scheduler.advance(pending.get(0));
            }

            ConcurrencyException error = listener.only(ConcurrencyException.class);
            assertThat(error.status()).isEmpty();
            assertThat(fault.requests()).as("the start, then every heartbeat attempt")
                    .hasSize(1 + RetryPolicy.HEARTBEAT.maxAttempts());
            assertThat(session.isActive()).isFalse();
        }
    }

    private static URI closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }
}
