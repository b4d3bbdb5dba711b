package io.cm.server.store.embedded;

import io.cm.core.ManualClock;
import io.cm.core.evaluation.Advice;
import io.cm.core.session.EndReason;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.Metered;
import io.cm.core.store.RequestLimit;
import io.cm.core.store.SessionStore.Change;
import io.cm.core.store.Spend;
import io.cm.core.store.StoreUnavailableException;
import io.cm.core.store.Touch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.cm.server.store.embedded.JournalFixture.ALICE;
import static io.cm.server.store.embedded.JournalFixture.BOB;
import static io.cm.server.store.embedded.JournalFixture.LIFETIME;
import static io.cm.server.store.embedded.JournalFixture.await;
import static io.cm.server.store.embedded.JournalFixture.open;
import static io.cm.server.store.embedded.JournalFixture.put;
import static io.cm.server.store.embedded.JournalFixture.read;
import static io.cm.server.store.embedded.JournalFixture.session;
import static io.cm.server.store.embedded.JournalFixture.sessions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the embedded store gives back after a restart on its data directory: what was acknowledged, with fresh lifetimes. */
class JournalRestartTest {

    private static final SubjectKey ODD = new SubjectKey("i:1", "2:b");

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(0));

    @Test
    void sessionsOfEverySubjectAreRestoredAfterARestart() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a", 1_000), session("b", 2_000)));
            put(store, ODD, sessions(session("c", 3_000)));
        }
        clock.set(Instant.ofEpochMilli(3_000));

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(read(store, ALICE).active()).extracting(Session::id).containsExactly("a", "b");
            assertThat(read(store, ODD).active()).extracting(Session::id).containsExactly("c");
            assertThat(read(store, ODD).active().getFirst().metadata()).containsEntry("k", "c");
            assertThat(store.activeSessions()).isEqualTo(3);
        }
    }

    @Test
    void restoredSessionsExpireNoEarlierThanRestartPlusTheirLifetime() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a", 1_000)));
        }
        long restart = 50_000;
        clock.set(Instant.ofEpochMilli(restart));

        try (JournalSessionStore store = open(dir, clock)) {
            Session restored = read(store, ALICE).active().getFirst();
            assertThat(restored.expiresAt()).isEqualTo(restart + LIFETIME);
            assertThat(restored.lastHeartbeat()).isEqualTo(1_000);
            assertThat(await(store.takeDue(restart + LIFETIME - 1, 10))).isEmpty();
            assertThat(await(store.takeDue(restart + LIFETIME, 10))).containsExactly(ALICE);
        }
    }

    @Test
    void aRestartLongAfterTheLastHeartbeatStillRestoresTheSessions() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a", 0)));
        }
        clock.advance(Duration.ofHours(1));

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(read(store, ALICE).active()).extracting(Session::id).containsExactly("a");
        }
    }

    @Test
    void killedAndDismissedSessionsAreRememberedUntilTheirForgetTimeAndNotAfter() {
        Advice advice = new Advice.RemoteTermination("a", Advice.RemoteTermination.REASON,
                new Advice.Terminator("Demo application", Optional.of("TV"), Optional.empty(), 0));
        EndedSession early = new EndedSession("gone-early", EndReason.KILLED, advice, 10_000);
        EndedSession late = new EndedSession("gone-late", EndReason.KILLED, advice, 20_000);
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, new SubjectSessions(List.of(session("a", 0)), List.of(early, late)));
        }
        clock.set(Instant.ofEpochMilli(15_000));

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(read(store, ALICE).ended()).containsExactly(late);
        }
    }

    @Test
    void aSubjectLeftWithNothingIsRestoredAsNothing() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a", 1_000)));
            put(store, ALICE, SubjectSessions.EMPTY);
        }

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(read(store, ALICE)).isEqualTo(SubjectSessions.EMPTY);
            assertThat(store.activeSessions()).isZero();
        }
    }

    @Test
    void theLastStateOfEachSubjectWinsAcrossRestarts() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a1", 0)));
            put(store, BOB, sessions(session("b1", 0)));
            put(store, ALICE, sessions(session("a1", 0), session("a2", 0)));
        }
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a2", 0)));
            put(store, BOB, sessions(session("b1", 0), session("b2", 0)));
            put(store, BOB, sessions(session("b2", 0)));
        }

        try (JournalSessionStore store = open(dir, clock)) {
            assertThat(read(store, ALICE).active()).extracting(Session::id).containsExactly("a2");
            assertThat(read(store, BOB).active()).extracting(Session::id).containsExactly("b2");
        }
    }

    @Test
    void aDecisionThatChangesNothingWritesNothing() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a", 1_000)));
            long bytes = store.diskBytes();

            Metered<String> answer = await(store.update(ALICE, Optional.empty(), current -> new Change<>(current, "denied")));
            await(store.flush());

            assertThat(answer).isEqualTo(new Metered.Done<>("denied"));
            assertThat(store.diskBytes()).isEqualTo(bytes);
        }
    }

    @Test
    void aHeartbeatThatOnlyMovesTimesIsNotWrittenButNewMetadataIs() {
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, sessions(session("a", 1_000)));
            long bytes = store.diskBytes();
            put(store, ALICE, sessions(session("a", 5_000)));
            await(store.flush());
            assertThat(store.diskBytes()).as("times only").isEqualTo(bytes);

            put(store, ALICE, sessions(new Session("a", "CODEa", "demo-app", 0, 6_000, 6_000 + LIFETIME, Map.of("k", "new"))));
            put(store, ALICE, sessions(new Session("a", "CODEa", "demo-app", 0, 9_000, 9_000 + LIFETIME, Map.of("k", "new"))));
        }
        clock.set(Instant.ofEpochMilli(10_000));

        try (JournalSessionStore store = open(dir, clock)) {
            Session restored = read(store, ALICE).active().getFirst();
            assertThat(restored.metadata()).containsEntry("k", "new");
            assertThat(restored.lastHeartbeat()).as("the heartbeat at 9 s was not written").isEqualTo(6_000);
            assertThat(restored.expiresAt()).isEqualTo(10_000 + LIFETIME);
        }
    }

    @Test
    void aRestoredSessionHeartbeatsWithoutAFullDecisionUnderTheSamePolicies() {
        long version = 42;
        try (JournalSessionStore store = open(dir, clock)) {
            put(store, ALICE, new SubjectSessions(List.of(session("a", 0)), List.of(), version));
        }

        try (JournalSessionStore store = open(dir, clock)) {
            Metered<Touch> touched = await(store.touch(ALICE, "a",
                    Spend.session("a", new RequestLimit(10, 1_000), 1_000), 1_000 + LIFETIME, version));
            assertThat(touched).isInstanceOf(Metered.Done.class);
            assertThat(((Metered.Done<Touch>) touched).value()).isInstanceOf(Touch.Touched.class);
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefusedWithAClearMessage() {
        try (JournalSessionStore ignored = open(dir, clock)) {
            assertThatThrownBy(() -> open(dir, clock))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("another server is using this data directory");
        }
        try (JournalSessionStore reopened = open(dir, clock)) {
            assertThat(reopened.healthy()).as("the lock is released on close").isTrue();
        }
    }

    @Test
    void changesAfterTheStoreIsClosedAreRefusedAsUnavailable() {
        JournalSessionStore store = open(dir, clock);
        store.close();

        assertThatThrownBy(() -> put(store, ALICE, sessions(session("a", 0))))
                .hasCauseInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("closed");
        assertThat(store.healthy()).isFalse();
    }
}
