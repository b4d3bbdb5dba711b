package io.cm.core.service;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Conflict;
import io.cm.core.evaluation.Decision;
import io.cm.core.evaluation.Obligation;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.session.Session;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.cm.core.service.ServiceFixture.ALICE;
import static io.cm.core.service.ServiceFixture.BOB;
import static io.cm.core.service.ServiceFixture.DEMO;
import static io.cm.core.service.ServiceFixture.DEMO_2;
import static io.cm.core.service.ServiceFixture.FIFO;
import static io.cm.core.service.ServiceFixture.OTHER;
import static org.assertj.core.api.Assertions.assertThat;

class SessionServiceStartTest {

    private final ServiceFixture f = new ServiceFixture();

    private StartOutcome.Denied denied(StartOutcome outcome) {
        assertThat(outcome).isInstanceOf(StartOutcome.Denied.class);
        return (StartOutcome.Denied) outcome;
    }

    @Test
    void permittedStartCreatesASignedSessionDueForHeartbeatAfterOneInterval() {
        long now = f.clock.millis();

        StartOutcome outcome = f.start(DEMO, ALICE, Map.of("deviceId", "tv"), Set.of());

        assertThat(outcome).isInstanceOf(StartOutcome.Started.class);
        StartOutcome.Started started = (StartOutcome.Started) outcome;
        Session session = started.session();
        assertThat(started.now()).isEqualTo(now);
        assertThat(started.expires()).isEqualTo(now + 60_000);
        assertThat(session.startTime()).isEqualTo(now);
        assertThat(session.lastHeartbeat()).isEqualTo(now);
        assertThat(session.expiresAt()).isEqualTo(now + 90_000);
        assertThat(session.applicationId()).isEqualTo("demo-app");
        assertThat(session.metadata()).isEqualTo(Map.of("deviceId", "tv"));
        assertThat(session.terminationCode()).isNotBlank();
        assertThat(f.ids.isIssued(DEMO.id(), ALICE, session.id())).isTrue();
        assertThat(f.activeIds(ALICE)).containsExactly(session.id());
        assertThat(f.service.activeSessions()).isEqualTo(1);
    }

    @Test
    void permittedStartEmitsOneStartedEvent() {
        Session session = f.started(DEMO, ALICE, Map.of("deviceId", "tv"));

        assertThat(f.events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(SessionEventType.STARTED);
            assertThat(e.timestamp()).isEqualTo(f.clock.millis());
            assertThat(e.tenant()).isEqualTo("demo");
            assertThat(e.applicationId()).isEqualTo("demo-app");
            assertThat(e.applicationName()).isEqualTo("Demo application");
            assertThat(e.idp()).isEqualTo("idp");
            assertThat(e.subject()).isEqualTo("alice");
            assertThat(e.sessionId()).contains(session.id());
            assertThat(e.terminationCode()).contains(session.terminationCode());
            assertThat(e.metadata()).isEqualTo(Map.of("deviceId", "tv"));
            assertThat(e.hitId()).isNotBlank();
        });
    }

    @Test
    void everyEventHasItsOwnHitId() {
        for (int i = 0; i < 3; i++) f.started(DEMO, BOB);
        f.start(DEMO, BOB, Map.of(), Set.of());

        assertThat(f.events).hasSize(4);
        assertThat(f.events.stream().map(SessionEvent::hitId).distinct()).hasSize(4);
    }

    @Test
    void startWithoutRequiredMetadataIsRefusedWithARefreshObligationNamingTheMissingKeys() {
        StartOutcome outcome = f.start(DEMO_2, ALICE, Map.of("deviceId", "tv"), Set.of());

        assertThat(outcome).isInstanceOf(StartOutcome.MissingMetadata.class);
        StartOutcome.MissingMetadata missing = (StartOutcome.MissingMetadata) outcome;
        assertThat(missing.missing()).containsExactly("channel");
        assertThat(missing.evaluation().decision()).isEqualTo(Decision.DENY);
        assertThat(missing.evaluation().obligations()).singleElement().isEqualTo(
                new Obligation("refresh", List.of("metadata"), List.of("channel")));
        assertThat(f.state(ALICE).isEmpty()).isTrue();
        assertThat(f.events).isEmpty();
    }

    @Test
    void requiredMetadataOfAnApplicationIsWhatItsPoliciesRead() {
        assertThat(f.service.requiredMetadata(DEMO)).isEmpty();
        assertThat(f.service.requiredMetadata(DEMO_2)).containsExactly("channel");
        assertThat(f.service.requiredMetadata(ServiceFixture.LIVE)).containsExactly("contentType");
    }

    @Test
    void fourthStartBeyondMaxStreamsThreeIsDeniedWithTheThreeRunningSessionsAsConflicts() {
        List<Session> running = List.of(f.started(DEMO, ALICE), f.started(DEMO, ALICE), f.started(DEMO, ALICE));

        StartOutcome.Denied denied = denied(f.start(DEMO, ALICE, Map.of(), Set.of()));

        Advice.RuleViolation violation = (Advice.RuleViolation) denied.evaluation().advice().getFirst();
        assertThat(denied.evaluation().advice()).hasSize(1);
        assertThat(violation.policy()).isEqualTo("demo-policy");
        assertThat(violation.threshold()).isEqualTo(3);
        assertThat(violation.current()).isEqualTo(4);
        assertThat(violation.conflicts()).extracting(Conflict::sessionId)
                .containsExactlyElementsOf(running.stream().map(Session::id).toList());
        assertThat(violation.conflicts()).extracting(Conflict::terminationCode)
                .containsExactlyElementsOf(running.stream().map(Session::terminationCode).toList());
        assertThat(f.activeIds(ALICE)).containsExactlyElementsOf(running.stream().map(Session::id).toList());
    }

    @Test
    void deniedStartEmitsADeniedEventWithTheAdviceAndNoSession() {
        for (int i = 0; i < 3; i++) f.started(DEMO, ALICE);
        f.events.clear();

        StartOutcome.Denied denied = denied(f.start(DEMO, ALICE, Map.of("deviceId", "phone"), Set.of()));

        assertThat(f.events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(SessionEventType.DENIED);
            assertThat(e.sessionId()).isEmpty();
            assertThat(e.terminationCode()).isEmpty();
            assertThat(e.metadata()).isEqualTo(Map.of("deviceId", "phone"));
            assertThat(e.evaluation()).contains(denied.evaluation());
        });
    }

    @Test
    void countingIsPerSubject() {
        for (int i = 0; i < 3; i++) f.started(DEMO, ALICE);

        f.started(DEMO, BOB);
        f.started(DEMO, new io.cm.core.session.SubjectKey("other-idp", "alice"));

        assertThat(f.activeIds(BOB)).hasSize(1);
    }

    @Test
    void terminationCodesAreUniqueAmongTheSubjectsActiveSessions() {
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            codes.add(f.started(ServiceFixture.OTHER, ALICE).terminationCode());
            if (i % 5 == 4) { // other-policy allows 5: stop them all to make room
                for (Session s : f.state(ALICE).active()) f.stop(OTHER, ALICE, s.id());
                assertThat(codes).hasSize(5);
                codes.clear();
            }
        }
    }

    // ---- X-Terminate ----------------------------------------------------------------------------

    @Test
    void startNamingATerminationCodeKillsThatSessionAndStartsInOneStep() {
        Session s1 = f.started(DEMO, ALICE);
        Session s2 = f.started(DEMO, ALICE);
        Session s3 = f.started(DEMO, ALICE);

        Session s4 = f.started(DEMO, ALICE, Map.of("deviceName", "Living room", "channel", "News"),
                s2.terminationCode());

        assertThat(f.activeIds(ALICE)).containsExactly(s1.id(), s3.id(), s4.id());
        assertThat(s4.metadata()).containsEntry("superseded", s2.terminationCode());
        assertThat(f.state(ALICE).endedSession(s2.id())).isPresent();
        assertThat(f.service.activeSessions()).isEqualTo(3);
    }

    @Test
    void killedSessionsHeartbeatAndStopLearnWhoKilledIt() {
        f.started(DEMO, ALICE);
        Session victim = f.started(DEMO, ALICE);
        f.started(DEMO, ALICE);
        Session killer = f.started(DEMO, ALICE, Map.of("deviceName", "Living room", "channel", "News"),
                victim.terminationCode());

        HeartbeatOutcome beat = f.heartbeat(DEMO, ALICE, victim.id(), Map.of());
        StopOutcome stop = f.stop(DEMO, ALICE, victim.id());

        assertThat(beat).isInstanceOf(HeartbeatOutcome.Killed.class);
        Advice.RemoteTermination advice = ((HeartbeatOutcome.Killed) beat).advice();
        assertThat(advice.terminatedBy()).isEqualTo(killer.id());
        assertThat(advice.reason()).isEqualTo("New session requested with X-Terminate header");
        assertThat(advice.terminator().applicationName()).isEqualTo("Demo application");
        assertThat(advice.terminator().deviceName()).contains("Living room");
        assertThat(advice.terminator().channel()).contains("News");
        assertThat(advice.terminator().startTime()).isEqualTo(killer.startTime());
        assertThat(stop).isEqualTo(beat);
    }

    @Test
    void killAndStartEmitKilledThenStartedEvents() {
        Session victim = f.started(DEMO, ALICE);
        f.events.clear();

        Session killer = f.started(DEMO, ALICE, Map.of(), victim.terminationCode());

        assertThat(f.eventTypes()).containsExactly(SessionEventType.KILLED, SessionEventType.STARTED);
        SessionEvent killed = f.events.getFirst();
        assertThat(killed.sessionId()).contains(victim.id());
        assertThat(killed.terminatedBy()).contains(killer.id());
    }

    @Test
    void severalTerminationCodesKillAllOfThemAndAreAllRecordedAsSuperseded() {
        Session s1 = f.started(DEMO, ALICE);
        Session s2 = f.started(DEMO, ALICE);
        Session s3 = f.started(DEMO, ALICE);

        Session s4 = f.started(DEMO, ALICE, Map.of(), s1.terminationCode(), s3.terminationCode());

        assertThat(f.activeIds(ALICE)).containsExactly(s2.id(), s4.id());
        assertThat(s4.metadata().get("superseded").split(","))
                .containsExactlyInAnyOrder(s1.terminationCode(), s3.terminationCode());
        assertThat(f.eventsOf(SessionEventType.KILLED)).hasSize(2);
    }

    @Test
    void startStillDeniedAfterDiscountingTheNamedSessionsKillsNothing() {
        Session a1 = f.started(DEMO_2, ALICE, Map.of("channel", "A"));
        Session a2 = f.started(DEMO_2, ALICE, Map.of("channel", "A"));
        Session b1 = f.started(DEMO_2, ALICE, Map.of("channel", "B"));
        f.events.clear();

        StartOutcome.Denied denied = denied(
                f.start(DEMO_2, ALICE, Map.of("channel", "A"), Set.of(b1.terminationCode())));

        Advice.RuleViolation violation = (Advice.RuleViolation) denied.evaluation().advice().getFirst();
        assertThat(violation.conflicts()).extracting(Conflict::sessionId).containsExactly(a1.id(), a2.id());
        assertThat(f.activeIds(ALICE)).containsExactly(a1.id(), a2.id(), b1.id());
        assertThat(f.state(ALICE).ended()).isEmpty();
        assertThat(f.eventTypes()).containsExactly(SessionEventType.DENIED);
        assertThat(f.heartbeat(DEMO_2, ALICE, b1.id(), Map.of()))
                .isInstanceOf(HeartbeatOutcome.Alive.class);
    }

    @Test
    void unknownTerminationCodeIsIgnoredAndKillsNothing() {
        List<Session> running = List.of(f.started(DEMO, ALICE), f.started(DEMO, ALICE), f.started(DEMO, ALICE));

        denied(f.start(DEMO, ALICE, Map.of(), Set.of("NOSUCH")));

        assertThat(f.activeIds(ALICE)).containsExactlyElementsOf(running.stream().map(Session::id).toList());
        assertThat(f.eventsOf(SessionEventType.KILLED)).isEmpty();
    }

    @Test
    void unknownTerminationCodeOnAPermittedStartIsIgnored() {
        Session s1 = f.started(DEMO, ALICE);

        Session s2 = f.started(DEMO, ALICE, Map.of(), "NOSUCH");

        assertThat(f.activeIds(ALICE)).containsExactly(s1.id(), s2.id());
        assertThat(s2.metadata()).doesNotContainKey("superseded");
    }

    @Test
    void terminationCodeOfAnotherSubjectKillsNothing() {
        List<Session> alice = List.of(f.started(DEMO, ALICE), f.started(DEMO, ALICE), f.started(DEMO, ALICE));
        Session bobs = f.started(DEMO, BOB);

        denied(f.start(DEMO, ALICE, Map.of(), Set.of(bobs.terminationCode())));
        Session bob2 = f.started(DEMO, BOB, Map.of(), alice.getFirst().terminationCode());

        assertThat(f.activeIds(ALICE)).containsExactlyElementsOf(alice.stream().map(Session::id).toList());
        assertThat(f.activeIds(BOB)).containsExactly(bobs.id(), bob2.id());
    }

    @Test
    void terminationCodeOfASessionTheCallerCannotSeeIsIgnored() {
        Session foreign = f.started(OTHER, ALICE);

        Session mine = f.started(DEMO, ALICE, Map.of(), foreign.terminationCode());

        assertThat(f.activeIds(ALICE)).containsExactly(foreign.id(), mine.id());
        assertThat(mine.metadata()).doesNotContainKey("superseded");
        assertThat(f.eventsOf(SessionEventType.KILLED)).isEmpty();
    }

    @Test
    void concurrentStartsForOneSubjectNeverAdmitMoreThanTheLimit() throws Exception {
        int attempts = 32;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Callable<StartOutcome>> tasks = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                tasks.add(() -> {
                    go.await();
                    return f.start(DEMO, ALICE, Map.of(), Set.of());
                });
            }
            List<Future<StartOutcome>> futures = new ArrayList<>();
            for (Callable<StartOutcome> task : tasks) futures.add(pool.submit(task));
            go.countDown();
            int started = 0;
            for (Future<StartOutcome> future : futures) {
                if (future.get(10, TimeUnit.SECONDS) instanceof StartOutcome.Started) started++;
            }
            assertThat(started).isEqualTo(3);
            assertThat(f.activeIds(ALICE)).hasSize(3);
            assertThat(f.eventsOf(SessionEventType.STARTED)).hasSize(3);
            assertThat(f.eventsOf(SessionEventType.DENIED)).hasSize(attempts - 3);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- FIFO -----------------------------------------------------------------------------------

    @Test
    void fifoStartBeyondTheLimitIsPermittedAndDismissesTheOldestSession() {
        Session oldest = f.started(FIFO, ALICE);
        f.clock.advance(Duration.ofSeconds(1));
        Session middle = f.started(FIFO, ALICE);
        f.clock.advance(Duration.ofSeconds(1));

        Session newest = f.started(FIFO, ALICE);

        assertThat(f.activeIds(ALICE)).containsExactly(middle.id(), newest.id());
        assertThat(f.service.activeSessions()).isEqualTo(2);
    }

    @Test
    void dismissedSessionsNextHeartbeatIsDeniedNamingTheSessionThatDisplacedIt() {
        Session oldest = f.started(FIFO, ALICE);
        f.started(FIFO, ALICE);
        Session newest = f.started(FIFO, ALICE, Map.of("deviceId", "tablet"));

        HeartbeatOutcome outcome = f.heartbeat(FIFO, ALICE, oldest.id(), Map.of());

        assertThat(outcome).isInstanceOf(HeartbeatOutcome.Denied.class);
        HeartbeatOutcome.Denied denied = (HeartbeatOutcome.Denied) outcome;
        assertThat(denied.evaluation().decision()).isEqualTo(Decision.DENY);
        assertThat(denied.evaluation().advice()).singleElement().satisfies(advice -> {
            Advice.RuleViolation violation = (Advice.RuleViolation) advice;
            assertThat(violation.policy()).isEqualTo("latest-wins");
            assertThat(violation.rule()).isEqualTo("max_streams");
            assertThat(violation.threshold()).isEqualTo(2);
            assertThat(violation.current()).isEqualTo(3);
            assertThat(violation.dismissedBy()).contains(newest.id());
            assertThat(violation.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.sessionId()).isEqualTo(newest.id());
                assertThat(c.terminationCode()).isEqualTo(newest.terminationCode());
                assertThat(c.metadata()).containsEntry("deviceId", "tablet");
            });
        });
        assertThat(f.activeIds(ALICE)).doesNotContain(oldest.id());
    }

    @Test
    void dismissedSessionNoLongerCounts() {
        f.started(FIFO, ALICE);
        Session second = f.started(FIFO, ALICE);
        Session third = f.started(FIFO, ALICE);

        assertThat(f.heartbeat(FIFO, ALICE, second.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Alive.class);
        assertThat(f.heartbeat(FIFO, ALICE, third.id(), Map.of())).isInstanceOf(HeartbeatOutcome.Alive.class);
    }

    @Test
    void fifoDismissalEmitsADismissedEventWithTheAdviceBeforeTheStartedEvent() {
        Session oldest = f.started(FIFO, ALICE);
        f.started(FIFO, ALICE);
        f.events.clear();

        Session newest = f.started(FIFO, ALICE);

        assertThat(f.eventTypes()).containsExactly(SessionEventType.DISMISSED, SessionEventType.STARTED);
        SessionEvent dismissed = f.events.getFirst();
        assertThat(dismissed.sessionId()).contains(oldest.id());
        assertThat(dismissed.applicationId()).isEqualTo("demo-app-fifo");
        assertThat(dismissed.evaluation()).hasValueSatisfying(e -> assertThat(e.advice()).singleElement()
                .satisfies(a -> assertThat(((Advice.RuleViolation) a).dismissedBy()).contains(newest.id())));
    }

    // ---- running streams ------------------------------------------------------------------------

    @Test
    void runningStreamsListsVisibleSessionsAndCountsTheOthers() {
        Session mine = f.started(DEMO, ALICE);
        f.clock.advance(Duration.ofSeconds(5));
        Session sameTenant = f.started(DEMO_2, ALICE, Map.of("channel", "A"));
        f.started(OTHER, ALICE);

        RunningStreams running = f.runningStreams(DEMO, ALICE);

        assertThat(running.visible()).extracting(Session::id).containsExactly(mine.id(), sameTenant.id());
        assertThat(running.otherStreams()).isEqualTo(1);
        assertThat(running.expires()).contains(mine.expiresAt());
    }

    @Test
    void runningStreamsOfASubjectWithoutSessionsIsEmptyWithoutExpires() {
        RunningStreams running = f.runningStreams(DEMO, ALICE);

        assertThat(running.visible()).isEmpty();
        assertThat(running.otherStreams()).isZero();
        assertThat(running.expires()).isEmpty();
    }
}
