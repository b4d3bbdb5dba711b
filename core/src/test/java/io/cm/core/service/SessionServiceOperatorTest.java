package io.cm.core.service;

import io.cm.core.evaluation.Advice;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectSessions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cm.core.service.ServiceFixture.ALICE;
import static io.cm.core.service.ServiceFixture.BOB;
import static io.cm.core.service.ServiceFixture.DEMO;
import static io.cm.core.service.ServiceFixture.FIFO;
import static io.cm.core.service.ServiceFixture.OTHER;
import static io.cm.core.service.ServiceFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** SPEC §9 operator actions: look up a subject, kill one session, end and forget a subject. */
class SessionServiceOperatorTest {

    private final ServiceFixture f = new ServiceFixture();

    @Test
    void lookupListsEveryActiveSessionOfTheSubjectWhateverTheApplication() {
        Session demo = f.started(DEMO, ALICE, Map.of("deviceId", "tv"));
        Session other = f.started(OTHER, ALICE);
        f.started(DEMO, BOB);

        assertThat(await(f.service.sessionsOf(ALICE))).containsExactly(demo, other);
    }

    @Test
    void lookupLeavesOutSessionsPastTheirExpiry() {
        f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofSeconds(91));

        assertThat(await(f.service.sessionsOf(ALICE))).isEmpty();
    }

    @Test
    void aKilledSessionsNextHeartbeatAndStopGet410WithTheOperatorAdvice() {
        Session victim = f.started(DEMO, ALICE);
        Session survivor = f.started(DEMO, ALICE);
        f.events.clear();

        KillOutcome outcome = await(f.service.kill(ALICE, victim.id()));

        assertThat(outcome).isEqualTo(new KillOutcome.Killed(victim));
        assertThat(f.activeIds(ALICE)).containsExactly(survivor.id());
        Advice.RemoteTermination advice = assertThat(f.heartbeat(DEMO, ALICE, victim.id(), Map.of()))
                .asInstanceOf(type(HeartbeatOutcome.Killed.class)).actual().advice();
        assertThat(advice.terminatedBy()).isEqualTo("operator");
        assertThat(advice.terminator().startTime()).isEqualTo(f.clock.millis());
        assertThat(f.stop(DEMO, ALICE, victim.id())).isInstanceOf(HeartbeatOutcome.Killed.class);
    }

    @Test
    void aKillEmitsOneKilledEventTerminatedByTheOperator() {
        Session victim = f.started(FIFO, ALICE);
        f.events.clear();

        await(f.service.kill(ALICE, victim.id()));

        assertThat(f.events).singleElement().satisfies((SessionEvent e) -> {
            assertThat(e.type()).isEqualTo(SessionEventType.KILLED);
            assertThat(e.sessionId()).contains(victim.id());
            assertThat(e.applicationId()).isEqualTo(FIFO.id());
            assertThat(e.terminatedBy()).contains("operator");
        });
    }

    @Test
    void aKilledSessionFreesItsSlot() {
        Session first = f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);

        await(f.service.kill(ALICE, first.id()));

        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isInstanceOf(StartOutcome.Started.class);
    }

    @Test
    void killingASessionThatIsNotActiveChangesNothing() {
        Session stopped = f.started(DEMO, ALICE);
        f.stop(DEMO, ALICE, stopped.id());
        Session running = f.started(DEMO, ALICE);
        f.events.clear();

        assertThat(await(f.service.kill(ALICE, stopped.id()))).isInstanceOf(KillOutcome.NotActive.class);
        assertThat(await(f.service.kill(ALICE, "never-issued"))).isInstanceOf(KillOutcome.NotActive.class);
        assertThat(await(f.service.kill(BOB, running.id()))).isInstanceOf(KillOutcome.NotActive.class);
        assertThat(f.activeIds(ALICE)).containsExactly(running.id());
        assertThat(f.events).isEmpty();
    }

    @Test
    void endingASubjectEndsEverySessionWithAnEventEachAndForgetsIt() {
        Session demo = f.started(DEMO, ALICE);
        Session other = f.started(OTHER, ALICE);
        Session fifo = f.started(FIFO, ALICE);
        f.started(FIFO, ALICE);
        f.started(FIFO, ALICE);
        Session bob = f.started(DEMO, BOB);
        f.events.clear();

        List<Session> ended = await(f.service.endSubject(ALICE));

        assertThat(ended).hasSize(4).contains(demo, other).doesNotContain(fifo);
        assertThat(f.state(ALICE)).isEqualTo(SubjectSessions.EMPTY);
        assertThat(f.events).hasSize(4).allSatisfy((SessionEvent e) -> {
            assertThat(e.type()).isEqualTo(SessionEventType.KILLED);
            assertThat(e.terminatedBy()).contains("operator");
            assertThat(e.subject()).isEqualTo("alice");
        });
        assertThat(f.heartbeat(DEMO, ALICE, demo.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Gone.class);
        assertThat(f.heartbeat(FIFO, ALICE, fifo.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Gone.class);
        assertThat(f.activeIds(BOB)).containsExactly(bob.id());
    }

    @Test
    void endingASubjectWithoutSessionsEndsNothing() {
        assertThat(await(f.service.endSubject(ALICE))).isEmpty();
        assertThat(f.events).isEmpty();
    }
}
