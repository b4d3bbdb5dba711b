package io.cm.core.service;

import io.cm.core.evaluation.Advice;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static io.cm.core.service.ServiceFixture.ALICE;
import static io.cm.core.service.ServiceFixture.BOB;
import static io.cm.core.service.ServiceFixture.DEMO;
import static io.cm.core.service.ServiceFixture.DEMO_2;
import static io.cm.core.service.ServiceFixture.LIVE;
import static org.assertj.core.api.Assertions.assertThat;

class SessionServiceHeartbeatTest {

    private final ServiceFixture f = new ServiceFixture();

    private HeartbeatOutcome.Alive alive(HeartbeatOutcome outcome) {
        assertThat(outcome).isInstanceOf(HeartbeatOutcome.Alive.class);
        return (HeartbeatOutcome.Alive) outcome;
    }

    @Test
    void heartbeatAnswersExpiresOneIntervalAheadAndKeepsTheSessionForIntervalPlusGrace() {
        Session session = f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofSeconds(45));
        long now = f.clock.millis();

        HeartbeatOutcome.Alive alive = alive(f.heartbeat(DEMO, ALICE, session.id(), Map.of()));

        assertThat(alive.now()).isEqualTo(now);
        assertThat(alive.expires()).isEqualTo(now + 60_000);
        assertThat(alive.session().lastHeartbeat()).isEqualTo(now);
        assertThat(alive.session().expiresAt()).isEqualTo(now + 90_000);
        assertThat(alive.session().startTime()).isEqualTo(session.startTime());
        assertThat(f.state(ALICE).activeSession(session.id())).contains(alive.session());
    }

    @Test
    void heartbeatEmitsAHeartbeatEvent() {
        Session session = f.started(DEMO, ALICE);
        f.events.clear();

        f.heartbeat(DEMO, ALICE, session.id(), Map.of("bitrate", "high"));

        assertThat(f.events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(SessionEventType.HEARTBEAT);
            assertThat(e.sessionId()).contains(session.id());
            assertThat(e.metadata()).containsEntry("bitrate", "high");
        });
    }

    @Test
    void heartbeatAddsNewMetadataKeysAndChangesMutableValues() {
        Session session = f.started(DEMO, ALICE, Map.of("deviceId", "tv", "position", "0"));

        alive(f.heartbeat(DEMO, ALICE, session.id(), Map.of("position", "120", "quality", "hd")));

        assertThat(f.state(ALICE).activeSession(session.id()).orElseThrow().metadata())
                .isEqualTo(Map.of("deviceId", "tv", "position", "120", "quality", "hd"));
    }

    @Test
    void heartbeatChangingAnImmutableKeyIsRefusedAndChangesNothing() {
        Session session = f.started(DEMO_2, ALICE, Map.of("channel", "A"));
        f.clock.advance(Duration.ofSeconds(10));
        f.events.clear();

        HeartbeatOutcome outcome = f.heartbeat(DEMO_2, ALICE, session.id(), Map.of("channel", "B", "x", "y"));

        assertThat(outcome).isEqualTo(new HeartbeatOutcome.ImmutableMetadata("channel"));
        assertThat(f.state(ALICE).activeSession(session.id())).contains(session);
        assertThat(f.events).isEmpty();
    }

    @Test
    void everyImmutableKeyKeepsItsValue() {
        for (String key : ImmutableMetadata.KEYS) {
            Session session = f.started(ServiceFixture.OTHER, new SubjectKey("idp", key), Map.of(key, "first"));

            HeartbeatOutcome outcome = f.heartbeat(ServiceFixture.OTHER, new SubjectKey("idp", key),
                    session.id(), Map.of(key, "second"));

            assertThat(outcome).as(key).isEqualTo(new HeartbeatOutcome.ImmutableMetadata(key));
        }
    }

    @Test
    void immutableKeyMayBeSetOnceByAHeartbeatAndRepeatedUnchanged() {
        Session session = f.started(DEMO, ALICE);

        alive(f.heartbeat(DEMO, ALICE, session.id(), Map.of("assetId", "movie-1")));
        HeartbeatOutcome.Alive again = alive(f.heartbeat(DEMO, ALICE, session.id(), Map.of("assetId", "movie-1")));

        assertThat(again.session().metadata()).containsEntry("assetId", "movie-1");
    }

    @Test
    void heartbeatWithAnIdThisServiceNeverIssuedIsUnknown() {
        f.started(DEMO, ALICE);

        assertThat(f.heartbeat(DEMO, ALICE, "not-a-session-id", Map.of()))
                .isInstanceOf(HeartbeatOutcome.Unknown.class);
        assertThat(f.stop(DEMO, ALICE, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
                .isInstanceOf(HeartbeatOutcome.Unknown.class);
    }

    @Test
    void heartbeatOfAnIdIssuedForAnotherSubjectOrApplicationIsUnknown() {
        Session session = f.started(DEMO, ALICE);

        assertThat(f.heartbeat(DEMO, BOB, session.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Unknown.class);
        assertThat(f.heartbeat(DEMO_2, ALICE, session.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Unknown.class);
        assertThat(f.stop(DEMO, BOB, session.id())).isInstanceOf(HeartbeatOutcome.Unknown.class);
        assertThat(f.activeIds(ALICE)).containsExactly(session.id());
    }

    @Test
    void stopEndsTheSessionEmitsStoppedAndFreesItsSlot() {
        Session s1 = f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        f.events.clear();

        StopOutcome outcome = f.stop(DEMO, ALICE, s1.id());

        assertThat(outcome).isInstanceOf(StopOutcome.Stopped.class);
        assertThat(f.activeIds(ALICE)).doesNotContain(s1.id());
        assertThat(f.events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(SessionEventType.STOPPED);
            assertThat(e.sessionId()).contains(s1.id());
        });
        f.started(DEMO, ALICE);
    }

    @Test
    void heartbeatAfterStopIsGone() {
        Session session = f.started(DEMO, ALICE);
        f.stop(DEMO, ALICE, session.id());
        f.events.clear();

        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Gone.class);
        assertThat(f.stop(DEMO, ALICE, session.id())).isInstanceOf(HeartbeatOutcome.Gone.class);
        assertThat(f.events).isEmpty();
    }

    @Test
    void stopOfADismissedSessionIsGone() {
        Session oldest = f.started(ServiceFixture.FIFO, ALICE);
        f.started(ServiceFixture.FIFO, ALICE);
        f.started(ServiceFixture.FIFO, ALICE);

        assertThat(f.stop(ServiceFixture.FIFO, ALICE, oldest.id())).isInstanceOf(HeartbeatOutcome.Gone.class);
    }

    @Test
    void heartbeatThatNowBreaksAPolicyIsDeniedAndEndsTheSession() {
        Session vod = f.started(LIVE, ALICE, Map.of("contentType", "vod"));
        Session live = f.started(LIVE, ALICE, Map.of("contentType", "live"));
        f.events.clear();

        HeartbeatOutcome outcome = f.heartbeat(LIVE, ALICE, vod.id(), Map.of("contentType", "live"));

        assertThat(outcome).isInstanceOf(HeartbeatOutcome.Denied.class);
        Advice.RuleViolation violation = (Advice.RuleViolation)
                ((HeartbeatOutcome.Denied) outcome).evaluation().advice().getFirst();
        assertThat(violation.policy()).isEqualTo("live-only");
        assertThat(violation.current()).isEqualTo(2);
        assertThat(f.activeIds(ALICE)).containsExactly(live.id());
        assertThat(f.eventTypes()).containsExactly(SessionEventType.DISMISSED);
        assertThat(f.events.getFirst().sessionId()).contains(vod.id());
        assertThat(f.heartbeat(LIVE, ALICE, vod.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Gone.class);
    }

    @Test
    void heartbeatAtTheLimitIsAccepted() {
        Session s1 = f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);

        alive(f.heartbeat(DEMO, ALICE, s1.id(), Map.of()));
    }

    @Test
    void everyTransitionOfASessionLifeEmitsOneEventInOrder() {
        Session victim = f.started(DEMO, ALICE);
        f.heartbeat(DEMO, ALICE, victim.id(), Map.of());
        Session killer = f.started(DEMO, ALICE, Map.of(), victim.terminationCode());
        f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        f.start(DEMO, ALICE, Map.of(), Set.of());
        f.stop(DEMO, ALICE, killer.id());

        assertThat(f.eventTypes()).containsExactly(
                SessionEventType.STARTED, SessionEventType.HEARTBEAT, SessionEventType.KILLED,
                SessionEventType.STARTED, SessionEventType.STARTED, SessionEventType.STARTED,
                SessionEventType.DENIED, SessionEventType.STOPPED);
        assertThat(f.events).allSatisfy((SessionEvent e) -> {
            assertThat(e.idp()).isEqualTo("idp");
            assertThat(e.subject()).isEqualTo("alice");
        });
    }
}
