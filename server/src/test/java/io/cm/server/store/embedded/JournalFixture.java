package io.cm.server.store.embedded;

import io.cm.core.ManualClock;
import io.cm.core.service.SessionTimings;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.SessionStore;
import io.cm.core.store.SessionStore.Change;
import io.cm.server.config.ServerConfig.Fsync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Opens journaled stores the way a (re)start does, and drives them; what the journal tests share. */
final class JournalFixture {

    static final SessionTimings TIMINGS =
            new SessionTimings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(10));
    static final long LIFETIME = 90_000;
    static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    static final SubjectKey BOB = new SubjectKey("idp", "bob");

    private JournalFixture() {
    }

    static JournalSessionStore open(Path dir, ManualClock clock) {
        return open(dir, clock, JournalSettings.of(Fsync.INTERVAL));
    }

    static JournalSessionStore open(Path dir, ManualClock clock, JournalSettings settings) {
        return JournalSessionStore.open(dir, settings, TIMINGS, clock, CompactionStep.Observer.NONE);
    }

    static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    static Session session(String id, long lastHeartbeat) {
        return new Session(id, "CODE" + id, "demo-app", 0, lastHeartbeat, lastHeartbeat + LIFETIME, Map.of("k", id));
    }

    static SubjectSessions sessions(Session... active) {
        return new SubjectSessions(List.of(active), List.of());
    }

    /** Commits {@code state} as the subject's next state and waits until the journal has it. */
    static void put(SessionStore store, SubjectKey subject, SubjectSessions state) {
        await(store.update(subject, Optional.empty(), current -> new Change<>(state, null)));
    }

    static SubjectSessions read(SessionStore store, SubjectKey subject) {
        return await(store.read(subject));
    }
}
