package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heartbeats follow the service's {@code Date}/{@code Expires} (SPEC §1, §7): the demo server grants
 * 60 s leases; the client sends each heartbeat 5 s before the lease ends. The client's clock is
 * five years away from the server's, and the server's clock moves with the test's scheduler.
 */
class HeartbeatScheduleTest {

    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration BEFORE_EXPIRES = Duration.ofSeconds(55);

    @RegisterExtension
    final ManualTimeClient demo = ManualTimeClient.of(Fixtures.demoServer(), "demo-app");
    private final ConcurrencyClient client = demo.client;
    private final ManualScheduler scheduler = demo.scheduler;
    private final ManualClock clock = demo.clock;


    @Test
    void theFirstHeartbeatIsDueAMarginBeforeTheLeaseThatExpiresMinusDateGrants() throws Exception {
        StreamSession session = client.start("idp1", "beat1", Map.of("deviceId", "tv"));

        assertThat(scheduler.pendingDelays()).containsExactly(BEFORE_EXPIRES);
        assertThat(session.expiresAt()).as("the lease on the client's own clock").isEqualTo(clock.instant().plus(LEASE));
    }

    @Test
    void noHeartbeatGoesOutBeforeItIsDueAndEachAnswerSchedulesTheNext() throws Exception {
        StreamSession session = client.start("idp1", "beat2", Map.of("deviceId", "tv"));
        var firstLease = session.expiresAt();

        scheduler.advance(BEFORE_EXPIRES.minusMillis(1));
        assertThat(session.expiresAt()).as("not renewed yet").isEqualTo(firstLease);

        scheduler.advance(Duration.ofMillis(1));
        assertThat(session.expiresAt()).as("renewed by the heartbeat's answer").isEqualTo(clock.instant().plus(LEASE));
        assertThat(scheduler.pendingDelays()).containsExactly(BEFORE_EXPIRES);
    }

    @Test
    void scheduledHeartbeatsKeepASessionAliveFarBeyondTheServersLifetime() throws Exception {
        StreamSession session = client.start("idp1", "beat3", Map.of("deviceId", "tv"));

        scheduler.advance(Duration.ofMinutes(10));

        assertThat(session.isActive()).isTrue();
        assertThat(client.runningStreams("idp1", "beat3").streams()).extracting(ActiveSession::sessionId)
                .containsExactly(session.id());
    }

    @Test
    void anUpdateRenewsTheLeaseAndReplacesThePendingHeartbeat() throws Exception {
        StreamSession session = client.start("idp1", "beat4", Map.of("deviceId", "tv"));
        scheduler.advance(Duration.ofSeconds(20));

        session.update(Map.of("quality", "hd"));

        assertThat(scheduler.pendingDelays()).as("one heartbeat pending, due 55 s after the update")
                .containsExactly(BEFORE_EXPIRES);
        assertThat(session.expiresAt()).isEqualTo(clock.instant().plus(LEASE));
    }
}
