package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A session's life as the app drives it: start, listed, stop (SPEC §2, §7), on the real server. */
class SessionLifecycleTest {

    @RegisterExtension
    final ManualTimeClient demo = ManualTimeClient.of(Fixtures.demoServer(), "demo-app");
    private final ConcurrencyClient client = demo.client;
    private final ManualScheduler scheduler = demo.scheduler;


    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aStartedSessionIsListedWithItsMetadataAndTerminationCodeUntilItIsStopped(CallStyle style) throws Exception {
        String subject = "life1-" + style;
        StreamSession session = style.start(client, subject, Map.of("deviceId", "tv", "channel", "news"));

        RunningStreams running = style.runningStreams(client, subject);
        assertThat(running.streams()).singleElement().satisfies(stream -> {
            assertThat(stream.sessionId()).isEqualTo(session.id());
            assertThat(stream.terminationCode()).isNotBlank();
            assertThat(stream.applicationName()).hasValue("Demo application");
            assertThat(stream.metadata()).containsEntry("deviceId", "tv").containsEntry("channel", "news");
        });
        assertThat(session.isActive()).isTrue();

        style.stop(session);

        assertThat(client.runningStreams("idp1", subject).streams()).isEmpty();
        assertThat(session.isActive()).isFalse();
        assertThat(scheduler.pendingDelays()).as("no heartbeat after a stop").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void stoppingASessionThatHasAlreadyEndedDoesNothingAndTellsTheListenerNothing(CallStyle style) throws Exception {
        StreamSession session = client.start("idp1", "life2-" + style, Map.of("deviceId", "tv"));
        RecordingListener listener = new RecordingListener();
        session.setListener(listener);
        style.stop(session);

        style.stop(session);

        assertThat(listener.endings()).isEmpty();
    }

    @Test
    void anUpdateSendsItsMetadataAndTheSessionKeepsWhatItStartedWith() throws Exception {
        StreamSession session = client.start("idp1", "life3", Map.of("deviceId", "tv", "channel", "news"));

        session.update(Map.of("quality", "hd"));

        assertThat(session.metadata()).containsEntry("deviceId", "tv").containsEntry("quality", "hd");
        assertThat(client.runningStreams("idp1", "life3").streams().get(0).metadata())
                .containsEntry("channel", "news").containsEntry("quality", "hd");
    }

    @Test
    void anUpdateOfAnImmutableKeyIsATypedRefusalAndTheSessionGoesOn() throws Exception {
        StreamSession session = client.start("idp1", "life4", Map.of("channel", "news"));

        ConcurrencyException refusal = catchThrowableOfType(ConcurrencyException.class,
                () -> session.update(Map.of("channel", "sports")));

        assertThat(refusal.status()).hasValue(400);
        assertThat(refusal.code()).hasValue("METADATA_IMMUTABLE");
        assertThat(session.isActive()).isTrue();
        assertThat(session.metadata()).containsEntry("channel", "news");
        assertThat(scheduler.pendingDelays()).as("the heartbeat stays scheduled").hasSize(1);
    }

    @Test
    void anUpdateOfAnEndedSessionIsATypedErrorWithoutARequest() throws Exception {
        StreamSession session = client.start("idp1", "life5", Map.of("deviceId", "tv"));
        session.stop();

        ConcurrencyException error = catchThrowableOfType(ConcurrencyException.class,
                () -> session.update(Map.of("quality", "hd")));

        assertThat(error).hasMessageContaining("has ended");
        assertThat(error.status()).isEmpty();
    }

    @Test
    void aClosedClientRefusesEveryCallThatWouldSendARequest() throws Exception {
        StreamSession session = client.start("idp1", "life6", Map.of("deviceId", "tv"));

        client.close();

        assertThatThrownBy(() -> client.runningStreams("idp1", "life6")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> client.startAsync("idp1", "life6", Map.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> session.update(Map.of("quality", "hd"))).isInstanceOf(IllegalStateException.class);
        assertThat(scheduler.pendingDelays()).as("its heartbeat does nothing once due").hasSize(1);
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(scheduler.pendingDelays()).isEmpty();
    }
}
