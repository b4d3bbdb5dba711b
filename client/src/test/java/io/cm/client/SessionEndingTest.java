package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a session ends without the app stopping it (SPEC §2, §7): each ending reaches the listener once,
 * at the next scheduled heartbeat, and stops the heartbeats. On the real server's demo configuration.
 */
class SessionEndingTest {

    private static final Duration UNTIL_HEARTBEAT = Duration.ofSeconds(55);

    private final RealServer server = Fixtures.demoServer();
    @RegisterExtension
    final ManualTimeClient demo = ManualTimeClient.of(server, "demo-app");
    private final ConcurrencyClient client = demo.client;
    private final ManualScheduler scheduler = demo.scheduler;


    @Test
    void aFifoDismissalIsToldAtTheNextHeartbeatNamingTheSessionThatTookItsPlace() throws Exception {
        try (ManualTimeClient fifoClient = demo.as(server, "demo-app-fifo")) {
            ConcurrencyClient fifo = fifoClient.client;
            StreamSession oldest = fifo.start("idp1", "end1", Map.of("deviceId", "tv"));
            RecordingListener listener = new RecordingListener();
            oldest.setListener(listener);
            scheduler.advance(Duration.ofSeconds(1));
            fifo.start("idp1", "end1", Map.of("deviceId", "phone"));
            scheduler.advance(Duration.ofSeconds(1));
            StreamSession newest = fifo.start("idp1", "end1", Map.of("deviceId", "laptop"));

            scheduler.advance(UNTIL_HEARTBEAT);

            ConcurrencyConflict conflict = listener.only(ConcurrencyConflict.class);
            assertThat(conflict.violations()).singleElement().satisfies(violation -> {
                assertThat(violation.dismissedBy()).hasValue(newest.id());
                assertThat(violation.threshold()).isEqualTo(2);
                assertThat(violation.current()).isEqualTo(3);
            });
            assertThat(conflict.sessions()).extracting(ActiveSession::sessionId).containsExactly(newest.id());
            assertThat(conflict.metadata()).as("the dismissed session's selection, for a retry")
                    .containsEntry("deviceId", "tv");
            assertThat(oldest.isActive()).isFalse();
        }
    }

    @Test
    void aSessionKilledWithItsTerminationCodeIsToldWhichSessionKilledIt() throws Exception {
        StreamSession victim = client.start("idp1", "end2", Map.of("deviceId", "tv"));
        RecordingListener listener = new RecordingListener();
        victim.setListener(listener);
        String code = client.runningStreams("idp1", "end2").streams().get(0).terminationCode();
        StreamSession killer = client.start("idp1", "end2",
                Map.of("deviceName", "Living room", "channel", "Channel7"), code);

        scheduler.advance(UNTIL_HEARTBEAT);

        Terminator terminator = listener.only(Terminator.class);
        assertThat(terminator.terminatedBy()).isEqualTo(killer.id());
        assertThat(terminator.applicationName()).hasValue("Demo application");
        assertThat(terminator.deviceName()).hasValue("Living room");
        assertThat(terminator.channel()).hasValue("Channel7");
        assertThat(killer.isActive()).isTrue();
    }

    /** A session of {@code subject} whose lifetime passes on the server while no heartbeat runs. */
    private StreamSession expiringOnTheServer(String subject, RecordingListener listener) throws ConcurrencyException {
        StreamSession session = client.start("idp1", subject, Map.of("deviceId", "tv"));
        session.setListener(listener);
        server.advanceClock(Duration.ofMinutes(2)); // past H + grace, on the server only
        return session;
    }

    @Test
    void aSessionTheServerLetExpireIsToldExpiredByA410WithoutBody() throws Exception {
        RecordingListener listener = new RecordingListener();
        expiringOnTheServer("end3", listener);

        scheduler.advance(UNTIL_HEARTBEAT);

        assertThat(listener.endings()).containsExactly(RecordingListener.EXPIRED);
    }

    @Test
    void afterAnEndingNoHeartbeatIsScheduledAndTheListenerIsNotToldAgain() throws Exception {
        RecordingListener listener = new RecordingListener();
        expiringOnTheServer("end4", listener);
        scheduler.advance(UNTIL_HEARTBEAT);

        scheduler.advance(Duration.ofMinutes(5));

        assertThat(scheduler.pendingDelays()).isEmpty();
        assertThat(listener.endings()).hasSize(1);
    }

    @Test
    void aListenerSetAfterTheSessionEndedIsToldAtOnce() throws Exception {
        StreamSession session = expiringOnTheServer("end5", new RecordingListener());
        scheduler.advance(UNTIL_HEARTBEAT);
        RecordingListener late = new RecordingListener();

        session.setListener(late);

        assertThat(late.endings()).containsExactly(RecordingListener.EXPIRED);
    }
}
