package io.cm.core.service;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Conflict;
import io.cm.core.event.SessionEventType;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.session.Session;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.cm.core.service.ServiceFixture.ALICE;
import static io.cm.core.service.ServiceFixture.DEMO;
import static io.cm.core.service.ServiceFixture.FIFO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * SPEC §9: sessions already running when a limit changes are re-evaluated at their next heartbeat.
 * FIFO dismisses the oldest beyond the new limit; LIFO keeps running sessions and denies new starts
 * until the subject is under the limit.
 */
class SessionServicePolicyChangeTest {

    private final ServiceFixture f = new ServiceFixture();

    private void limit(String policy, int limit, ConflictMode mode) {
        f.change(new Policy(policy, List.of(new Rule.MaxStreams(null, limit)), mode, Optional.empty()));
    }

    private HeartbeatOutcome beat(Session session) {
        f.clock.advance(Duration.ofSeconds(1));
        return f.heartbeat(session.applicationId().equals(FIFO.id()) ? FIFO : DEMO, ALICE, session.id(), Map.of());
    }

    private static Advice.RuleViolation violation(HeartbeatOutcome outcome) {
        return (Advice.RuleViolation) org.assertj.core.api.Assertions.assertThat(outcome)
                .asInstanceOf(type(HeartbeatOutcome.Denied.class)).actual().evaluation().advice().getFirst();
    }

    @Test
    void lifoLimitLoweredBelowTheRunningSessionsKeepsThemRunningAtTheirHeartbeats() {
        Session first = f.started(DEMO, ALICE);
        Session second = f.started(DEMO, ALICE);
        limit("demo-policy", 1, ConflictMode.LIFO);

        assertThat(beat(first)).isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(beat(second)).isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(beat(first)).isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(f.activeIds(ALICE)).containsExactly(first.id(), second.id());
        assertThat(f.eventsOf(SessionEventType.DISMISSED)).isEmpty();
    }

    @Test
    void lifoLimitLoweredDeniesNewStartsNamingTheNewThresholdUntilTheSubjectIsUnderIt() {
        Session first = f.started(DEMO, ALICE);
        Session second = f.started(DEMO, ALICE);
        limit("demo-policy", 1, ConflictMode.LIFO);

        StartOutcome denied = f.start(DEMO, ALICE, Map.of(), Set.of());
        Advice.RuleViolation violation = (Advice.RuleViolation) assertThat(denied)
                .asInstanceOf(type(StartOutcome.Denied.class)).actual().evaluation().advice().getFirst();
        assertThat(violation.threshold()).isEqualTo(1);
        assertThat(violation.current()).isEqualTo(3);

        f.stop(DEMO, ALICE, first.id());
        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isInstanceOf(StartOutcome.Denied.class);
        f.stop(DEMO, ALICE, second.id());
        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isInstanceOf(StartOutcome.Started.class);
    }

    @Test
    void raisingTheLimitAgainAdmitsNewStarts() {
        f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        limit("demo-policy", 1, ConflictMode.LIFO);
        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isInstanceOf(StartOutcome.Denied.class);

        limit("demo-policy", 3, ConflictMode.LIFO);

        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isInstanceOf(StartOutcome.Started.class);
    }

    @Test
    void fifoLimitLoweredDismissesTheOldestAtItsNextHeartbeatAndKeepsTheNewer() {
        Session oldest = f.started(FIFO, ALICE);
        f.clock.advance(Duration.ofSeconds(1));
        Session newer = f.started(FIFO, ALICE);
        limit("latest-wins", 1, ConflictMode.FIFO);
        f.events.clear();

        Advice.RuleViolation violation = violation(beat(oldest));

        assertThat(violation.threshold()).isEqualTo(1);
        assertThat(violation.current()).isEqualTo(2);
        assertThat(violation.conflicts()).extracting(Conflict::sessionId).containsExactly(newer.id());
        assertThat(f.activeIds(ALICE)).containsExactly(newer.id());
        assertThat(f.eventTypes()).containsExactly(SessionEventType.DISMISSED);
        assertThat(f.events.getFirst().sessionId()).contains(oldest.id());
        assertThat(f.events.getFirst().evaluation()).isPresent();
        assertThat(beat(newer)).isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(beat(oldest)).isInstanceOf(HeartbeatOutcome.Gone.class);
    }

    @Test
    void whenTheNewerSessionHeartbeatsFirstTheOlderOnesBeyondTheLimitAreDismissedAndLearnItAtTheirNextHeartbeat() {
        limit("latest-wins", 3, ConflictMode.FIFO);
        Session oldest = f.started(FIFO, ALICE);
        f.clock.advance(Duration.ofSeconds(1));
        Session middle = f.started(FIFO, ALICE);
        f.clock.advance(Duration.ofSeconds(1));
        Session newest = f.started(FIFO, ALICE);
        limit("latest-wins", 1, ConflictMode.FIFO);
        f.events.clear();

        assertThat(beat(newest)).isInstanceOf(HeartbeatOutcome.Alive.class);

        assertThat(f.activeIds(ALICE)).containsExactly(newest.id());
        assertThat(f.eventsOf(SessionEventType.DISMISSED)).extracting(e -> e.sessionId().orElseThrow())
                .containsExactly(oldest.id(), middle.id());
        for (Session dismissed : List.of(middle, oldest)) {
            Advice.RuleViolation violation = violation(beat(dismissed));
            assertThat(violation.threshold()).isEqualTo(1);
            assertThat(violation.conflicts()).extracting(Conflict::sessionId).containsExactly(newest.id());
        }
        assertThat(f.eventsOf(SessionEventType.DISMISSED)).hasSize(2);
    }

    @Test
    void afterTheReEvaluationHeartbeatsOnlyMoveTimesAgain() {
        Session oldest = f.started(FIFO, ALICE);
        f.clock.advance(Duration.ofSeconds(1));
        Session newer = f.started(FIFO, ALICE);
        limit("latest-wins", 1, ConflictMode.FIFO);
        assertThat(f.state(ALICE).policyVersion()).isNotEqualTo(f.catalog.version());

        beat(newer);

        assertThat(f.state(ALICE).policyVersion()).isEqualTo(f.catalog.version());
        assertThat(f.activeIds(ALICE)).containsExactly(newer.id());
        assertThat(beat(oldest)).isInstanceOf(HeartbeatOutcome.Denied.class);
    }

    @Test
    void switchingALifoPolicyToFifoDismissesTheOldestRunningSessionsBeyondTheLimit() {
        Session first = f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofSeconds(1));
        Session second = f.started(DEMO, ALICE);
        limit("demo-policy", 1, ConflictMode.FIFO);

        assertThat(beat(second)).isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(beat(first)).isInstanceOf(HeartbeatOutcome.Denied.class);
        assertThat(f.activeIds(ALICE)).containsExactly(second.id());
    }
}
