package io.cm.core.service;

import io.cm.core.event.SessionEventType;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.Metered;
import io.cm.core.store.SessionStore;
import io.cm.core.store.Spend;
import io.cm.core.store.Touch;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static io.cm.core.service.ServiceFixture.ALICE;
import static io.cm.core.service.ServiceFixture.BOB;
import static io.cm.core.service.ServiceFixture.DEMO;
import static org.assertj.core.api.Assertions.assertThat;

/** H = 60 s, grace = 30 s: a session is active while now <= lastHeartbeat + 90 s. */
class SessionServiceExpiryTest {

    private static final long LIFETIME = 90_000;

    private final ServiceFixture f = new ServiceFixture();

    private void at(long epochMillis) {
        f.clock.set(Instant.ofEpochMilli(epochMillis));
    }

    @Test
    void sessionIsStillActiveAtExactlyLastHeartbeatPlusIntervalPlusGrace() {
        Session session = f.started(DEMO, ALICE);
        at(session.lastHeartbeat() + LIFETIME);

        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of()))
                .isInstanceOf(HeartbeatOutcome.Alive.class);
    }

    @Test
    void heartbeatOneMillisecondPastTheDeadlineFindsTheSessionGone() {
        Session session = f.started(DEMO, ALICE);
        at(session.lastHeartbeat() + LIFETIME + 1);

        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of()))
                .isInstanceOf(HeartbeatOutcome.Gone.class);
        assertThat(f.stop(DEMO, ALICE, session.id())).isInstanceOf(HeartbeatOutcome.Gone.class);
    }

    @Test
    void expireDueEndsNothingUpToTheDeadlineAndTheSessionOneMillisecondAfter() {
        Session session = f.started(DEMO, ALICE);
        f.events.clear();

        at(session.lastHeartbeat() + LIFETIME - 1);
        assertThat(f.expireDue()).isZero();
        at(session.lastHeartbeat() + LIFETIME);
        assertThat(f.expireDue()).isZero();
        assertThat(f.activeIds(ALICE)).containsExactly(session.id());
        assertThat(f.events).isEmpty();

        at(session.lastHeartbeat() + LIFETIME + 1);
        assertThat(f.expireDue()).isEqualTo(1);

        assertThat(f.activeIds(ALICE)).isEmpty();
        assertThat(f.service.activeSessions()).isZero();
        assertThat(f.events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(SessionEventType.EXPIRED);
            assertThat(e.sessionId()).contains(session.id());
            assertThat(e.applicationId()).isEqualTo("demo-app");
            assertThat(e.timestamp()).isEqualTo(session.lastHeartbeat() + LIFETIME + 1);
        });
    }

    @Test
    void aBacklogOfDueSubjectsIsExpiredAFewDozenStoreCallsAtATime() {
        for (int i = 0; i < 200; i++) f.started(DEMO, new SubjectKey("idp", "s" + i));
        f.clock.advance(Duration.ofMinutes(5));
        HeldUpdates held = new HeldUpdates(f.store);
        SessionService service = new SessionService(() -> new DecisionSettings(f.catalog, f.limits), held, f.ids,
                SessionTimings.DEFAULTS, f.clock, event -> { });

        CompletableFuture<Integer> expired = service.expireDue().toCompletableFuture();
        int mostAtOnce = 0;
        while (!held.waiting.isEmpty()) {
            mostAtOnce = Math.max(mostAtOnce, held.waiting.size());
            held.releaseAll();
        }

        assertThat(expired).isCompletedWithValue(200);
        assertThat(mostAtOnce).isEqualTo(64);
        assertThat(f.service.activeSessions()).isZero();
    }

    /** Holds the completion of every update until released, as a store far away would. */
    private static final class HeldUpdates implements SessionStore {
        private final SessionStore store;
        private final List<Runnable> waiting = new ArrayList<>();

        HeldUpdates(SessionStore store) {
            this.store = store;
        }

        void releaseAll() {
            List<Runnable> now = List.copyOf(waiting);
            waiting.clear();
            now.forEach(Runnable::run);
        }

        @Override
        public <R> CompletionStage<Metered<R>> update(SubjectKey subject, Optional<Spend> spend,
                                                      Function<SubjectSessions, Change<R>> decision) {
            CompletableFuture<Metered<R>> answer = new CompletableFuture<>();
            store.update(subject, spend, decision).thenAccept(result -> waiting.add(() -> answer.complete(result)));
            return answer;
        }

        @Override
        public CompletionStage<Metered<Touch>> touch(SubjectKey subject, String sessionId, Spend spend, long expiresAt,
                                                     long policyVersion) {
            return store.touch(subject, sessionId, spend, expiresAt, policyVersion);
        }

        @Override
        public CompletionStage<SubjectSessions> read(SubjectKey subject) {
            return store.read(subject);
        }

        @Override
        public CompletionStage<List<SubjectKey>> takeDue(long now, int max) {
            return store.takeDue(now, max);
        }

        @Override
        public long activeSessions() {
            return store.activeSessions();
        }
    }

    @Test
    void expiredSessionIsReportedOnlyOnce() {
        f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofMinutes(5));

        assertThat(f.expireDue()).isEqualTo(1);
        assertThat(f.expireDue()).isZero();
        f.start(DEMO, ALICE, Map.of(), Set.of());

        assertThat(f.eventsOf(SessionEventType.EXPIRED)).hasSize(1);
    }

    @Test
    void heartbeatMovesTheDeadlineToItsOwnTimePlusIntervalPlusGrace() {
        Session session = f.started(DEMO, ALICE);
        long beatAt = session.startTime() + 60_000;
        at(beatAt);
        f.heartbeat(DEMO, ALICE, session.id(), Map.of());

        at(session.startTime() + LIFETIME + 1);
        assertThat(f.expireDue()).isZero();
        at(beatAt + LIFETIME);
        assertThat(f.expireDue()).isZero();
        assertThat(f.heartbeat(DEMO, ALICE, session.id(), Map.of()))
                .isInstanceOf(HeartbeatOutcome.Alive.class);

        at(beatAt + 2 * LIFETIME + 1);
        assertThat(f.expireDue()).isEqualTo(1);
    }

    @Test
    void expiredSessionsStopCountingEvenBeforeTheExpiryPassRuns() {
        for (int i = 0; i < 3; i++) f.started(DEMO, ALICE);
        f.events.clear();
        f.clock.advance(Duration.ofMillis(LIFETIME + 1));

        Session fresh = f.started(DEMO, ALICE);

        assertThat(f.activeIds(ALICE)).containsExactly(fresh.id());
        assertThat(f.eventTypes()).containsExactly(SessionEventType.EXPIRED, SessionEventType.EXPIRED,
                SessionEventType.EXPIRED, SessionEventType.STARTED);
        assertThat(f.expireDue()).isZero();
    }

    @Test
    void sessionStillCountsUntilItsDeadline() {
        for (int i = 0; i < 3; i++) f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofMillis(LIFETIME));

        assertThat(f.start(DEMO, ALICE, Map.of(), Set.of())).isInstanceOf(StartOutcome.Denied.class);
    }

    @Test
    void runningStreamsLeavesOutExpiredSessions() {
        Session old = f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofSeconds(60));
        Session recent = f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofSeconds(31));

        RunningStreams running = f.runningStreams(DEMO, ALICE);

        assertThat(running.visible()).extracting(Session::id).containsExactly(recent.id());
        assertThat(running.expires()).contains(recent.expiresAt());
        assertThat(old.expiresAt()).isLessThan(f.clock.millis());
    }

    @Test
    void expireDueHandlesEverySubjectWithSomethingDueAndNoOther() {
        f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofSeconds(60));
        Session bobs = f.started(DEMO, BOB);
        f.clock.advance(Duration.ofSeconds(31));

        assertThat(f.expireDue()).isEqualTo(2);

        assertThat(f.activeIds(ALICE)).isEmpty();
        assertThat(f.activeIds(BOB)).containsExactly(bobs.id());
        assertThat(f.service.activeSessions()).isEqualTo(1);
    }

    @Test
    void killedSessionIsRememberedForTheRetentionPeriodThenForgotten() {
        Session victim = f.started(DEMO, ALICE);
        Session killer = f.started(DEMO, ALICE, Map.of(), victim.terminationCode());

        f.clock.advance(Duration.ofMinutes(10).minusMillis(1));
        f.heartbeat(DEMO, ALICE, killer.id(), Map.of());
        assertThat(f.heartbeat(DEMO, ALICE, victim.id(), Map.of()))
                .isInstanceOf(HeartbeatOutcome.Killed.class);

        f.clock.advance(Duration.ofMillis(1));
        assertThat(f.heartbeat(DEMO, ALICE, victim.id(), Map.of()))
                .isInstanceOf(HeartbeatOutcome.Gone.class);
    }

    @Test
    void subjectWithNothingLeftIsDroppedFromTheStoreByTheExpiryPass() {
        Session victim = f.started(DEMO, ALICE);
        f.started(DEMO, ALICE, Map.of(), victim.terminationCode());

        f.clock.advance(Duration.ofMinutes(11));
        assertThat(f.expireDue()).isEqualTo(1);
        f.expireDue();

        assertThat(f.state(ALICE).isEmpty()).isTrue();
    }
}
