package io.cm.server.store.embedded;

import io.cm.core.service.SessionTimings;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.Metered;
import io.cm.core.store.SessionStore.Change;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the embedded store keeps across a restart of the process (issue 3): sessions, tombstones, lifetimes. */
class DurableSessionStoreTest {

    private static final SessionTimings TIMINGS =
            new SessionTimings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(10));
    private static final long LIFETIME = 90_000;
    private static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    private static final SubjectKey ODD = new SubjectKey("i:1", "2:b");

    @TempDir
    Path dir;

    private static Session session(String id, long lastHeartbeat) {
        return new Session(id, "CODE" + id, "demo-app", 0, lastHeartbeat, lastHeartbeat + LIFETIME, Map.of("k", id));
    }

    private static void put(DurableSessionStore store, SubjectKey subject, SubjectSessions state) {
        store.update(subject, Optional.empty(), current -> new Change<>(state, null)).toCompletableFuture().join();
    }

    private static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void sessionsOfEverySubjectAreRestoredAfterARestart() {
        SubjectSessions alice = new SubjectSessions(List.of(session("a", 1_000), session("b", 2_000)), List.of());
        SubjectSessions odd = new SubjectSessions(List.of(session("c", 3_000)), List.of());
        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 0)) {
            put(store, ALICE, alice);
            put(store, ODD, odd);
        }

        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 3_000)) {
            assertThat(await(store.read(ALICE)).active()).extracting(Session::id).containsExactly("a", "b");
            assertThat(await(store.read(ODD)).active()).extracting(Session::id).containsExactly("c");
            assertThat(store.activeSessions()).isEqualTo(3);
        }
    }

    @Test
    void restoredSessionsExpireNoEarlierThanRestartPlusTheirLifetime() {
        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 0)) {
            put(store, ALICE, new SubjectSessions(List.of(session("a", 1_000)), List.of()));
        }
        long restart = 50_000;

        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, restart)) {
            Session restored = await(store.read(ALICE)).active().getFirst();
            assertThat(restored.expiresAt()).isEqualTo(restart + LIFETIME);
            assertThat(restored.lastHeartbeat()).isEqualTo(1_000);
            assertThat(await(store.takeDue(restart + LIFETIME - 1, 10))).isEmpty();
            assertThat(await(store.takeDue(restart + LIFETIME, 10))).containsExactly(ALICE);
        }
    }

    @Test
    void aSubjectLeftWithNothingIsRemovedFromTheFile() {
        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 0)) {
            put(store, ALICE, new SubjectSessions(List.of(session("a", 1_000)), List.of()));
            put(store, ALICE, SubjectSessions.EMPTY);
        }

        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 2_000)) {
            assertThat(await(store.read(ALICE))).isEqualTo(SubjectSessions.EMPTY);
            assertThat(store.activeSessions()).isZero();
        }
    }

    @Test
    void aDecisionThatChangesNothingWritesNothing() {
        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 0)) {
            put(store, ALICE, new SubjectSessions(List.of(session("a", 1_000)), List.of()));
            Metered<String> answer = await(store.update(ALICE, Optional.empty(), current -> new Change<>(current, "denied")));
            assertThat(answer).isEqualTo(new Metered.Done<>("denied"));
        }

        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 2_000)) {
            assertThat(await(store.read(ALICE)).active()).extracting(Session::id).containsExactly("a");
        }
    }

    @Test
    void newMetadataIsKeptButAHeartbeatThatOnlyMovesTimesIsNotWritten() {
        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 0)) {
            put(store, ALICE, new SubjectSessions(List.of(session("a", 1_000)), List.of()));
            put(store, ALICE, new SubjectSessions(List.of(session("a", 5_000)), List.of()));
            Session updated = new Session("a", "CODEa", "demo-app", 0, 6_000, 6_000 + LIFETIME, Map.of("k", "new"));
            put(store, ALICE, new SubjectSessions(List.of(updated), List.of()));
            put(store, ALICE, new SubjectSessions(List.of(new Session("a", "CODEa", "demo-app", 0, 9_000,
                    9_000 + LIFETIME, Map.of("k", "new"))), List.of()));
        }

        try (DurableSessionStore store = DurableSessionStore.open(dir, TIMINGS, 10_000)) {
            Session restored = await(store.read(ALICE)).active().getFirst();
            assertThat(restored.metadata()).containsEntry("k", "new");
            assertThat(restored.lastHeartbeat()).as("the heartbeat at 9 s was not written").isEqualTo(6_000);
            assertThat(restored.expiresAt()).isEqualTo(10_000 + LIFETIME);
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefusedWithAClearMessage() {
        try (DurableSessionStore ignored = DurableSessionStore.open(dir, TIMINGS, 0)) {
            assertThatThrownBy(() -> DurableSessionStore.open(dir, TIMINGS, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is another server using this data directory?");
        }
    }
}
