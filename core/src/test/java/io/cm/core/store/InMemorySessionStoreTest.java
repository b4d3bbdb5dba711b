package io.cm.core.store;

import io.cm.core.evaluation.Advice;
import io.cm.core.session.EndReason;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.SessionStore.Change;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class InMemorySessionStoreTest {

    private static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    private static final SubjectKey BOB = new SubjectKey("idp", "bob");

    private final InMemorySessionStore store = new InMemorySessionStore();

    private static Session session(String id, long expiresAt) {
        return new Session(id, "C" + id, "app", 0, 0, expiresAt, Map.of());
    }

    /** Adds a session expiring at {@code expiresAt}. */
    private void add(SubjectKey subject, String id, long expiresAt) {
        store.update(subject, current -> {
            List<Session> active = new ArrayList<>(current.active());
            active.add(session(id, expiresAt));
            return new Change<>(new SubjectSessions(active, current.ended()), null);
        });
    }

    /** What an expiry pass does with a due subject. */
    private List<Session> expire(SubjectKey subject, long now) {
        return store.update(subject, current -> new Change<>(current.withoutExpired(now), current.expiredAt(now)));
    }

    @Test
    void unknownSubjectReadsAsEmpty() {
        assertThat(store.read(ALICE)).isEqualTo(SubjectSessions.EMPTY);
    }

    @Test
    void updateSeesTheCurrentStateCommitsTheNextAndReturnsTheDecisionsResult() {
        add(ALICE, "s1", 100);

        String result = store.update(ALICE, current -> {
            assertThat(current.active()).extracting(Session::id).containsExactly("s1");
            return new Change<>(new SubjectSessions(List.of(session("s2", 200)), List.of()), "decided");
        });

        assertThat(result).isEqualTo("decided");
        assertThat(store.read(ALICE).active()).extracting(Session::id).containsExactly("s2");
        assertThat(store.read(BOB).isEmpty()).isTrue();
    }

    @Test
    void activeSessionCountFollowsEveryCommit() {
        add(ALICE, "a1", 100);
        add(ALICE, "a2", 100);
        add(BOB, "b1", 100);
        assertThat(store.activeSessions()).isEqualTo(3);

        store.update(ALICE, current -> new Change<>(SubjectSessions.EMPTY, null));

        assertThat(store.activeSessions()).isEqualTo(1);
        assertThat(store.read(ALICE)).isEqualTo(SubjectSessions.EMPTY);
    }

    @Test
    void concurrentUpdatesOfOneSubjectLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) add(ALICE, thread + "-" + i, Long.MAX_VALUE - 1);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : futures) future.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        List<Session> active = store.read(ALICE).active();
        assertThat(active).hasSize(threads * perThread);
        assertThat(active.stream().map(Session::id).distinct()).hasSize(threads * perThread);
        assertThat(store.activeSessions()).isEqualTo(threads * perThread);
    }

    @Test
    void concurrentReadModifyWriteCountersOnOneSubjectLoseNoIncrement() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        AtomicInteger decisions = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        store.update(ALICE, current -> {
                            decisions.incrementAndGet();
                            Session counter = current.activeSession("counter").orElse(session("counter", 1_000));
                            int n = Integer.parseInt(counter.metadata().getOrDefault("n", "0"));
                            Session next = counter.heartbeat(0, 1_000, Map.of("n", Integer.toString(n + 1)));
                            return new Change<>(new SubjectSessions(List.of(next), List.of()), null);
                        });
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : futures) future.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.read(ALICE).activeSession("counter").orElseThrow().metadata())
                .containsEntry("n", Integer.toString(threads * perThread));
        assertThat(decisions.get()).isEqualTo(threads * perThread);
        assertThat(store.activeSessions()).isEqualTo(1);
    }

    @Test
    void takeDueHandsOutOnlySubjectsWhoseDeadlineIsAtOrBeforeNow() {
        add(new SubjectKey("idp", "early"), "e", 100);
        add(new SubjectKey("idp", "middle"), "m", 200);
        add(new SubjectKey("idp", "late"), "l", 300);

        assertThat(store.takeDue(99, 100)).isEmpty();
        assertThat(store.takeDue(150, 100)).containsExactly(new SubjectKey("idp", "early"));
        assertThat(store.takeDue(200, 100)).containsExactly(new SubjectKey("idp", "middle"));
    }

    @Test
    void aDueSubjectIsHandedOutOncePerDeadline() {
        add(ALICE, "s1", 100);

        assertThat(store.takeDue(500, 100)).containsExactly(ALICE);
        assertThat(store.takeDue(500, 100)).isEmpty();
    }

    @Test
    void takeDueHandsOutAtMostMaxSubjectsAndKeepsTheRestForLater() {
        for (int i = 0; i < 5; i++) add(new SubjectKey("idp", "s" + i), "x" + i, 100 + i);

        List<SubjectKey> first = store.takeDue(1_000, 3);
        List<SubjectKey> rest = store.takeDue(1_000, 3);

        assertThat(first).extracting(SubjectKey::subject).containsExactly("s0", "s1", "s2");
        assertThat(rest).extracting(SubjectKey::subject).containsExactly("s3", "s4");
    }

    @Test
    void onlyTheExpiredFewAreHandedOutAmongManyLiveSubjects() {
        for (int i = 0; i < 20_000; i++) add(new SubjectKey("idp", "live" + i), "l" + i, 1_000_000);
        for (int i = 0; i < 3; i++) add(new SubjectKey("idp", "dead" + i), "d" + i, 100);

        List<SubjectKey> due = store.takeDue(500, Integer.MAX_VALUE);

        assertThat(due).extracting(SubjectKey::subject).containsExactlyInAnyOrder("dead0", "dead1", "dead2");
        for (SubjectKey subject : due) assertThat(expire(subject, 500)).hasSize(1);
        assertThat(store.activeSessions()).isEqualTo(20_000);
        assertThat(store.takeDue(500, Integer.MAX_VALUE)).isEmpty();
    }

    @Test
    void laterDeadlineAfterAnUpdateIsHandedOutAgainAtThatDeadlineNotBefore() {
        add(ALICE, "s1", 100);
        store.update(ALICE, current -> new Change<>(
                new SubjectSessions(List.of(session("s1", 300)), List.of()), null)); // heartbeat-like extension

        List<SubjectKey> early = store.takeDue(150, 100); // stale entry fires: nothing is expired yet
        assertThat(early).containsExactly(ALICE);
        assertThat(expire(ALICE, 150)).isEmpty();

        assertThat(store.takeDue(299, 100)).isEmpty();
        assertThat(store.takeDue(301, 100)).containsExactly(ALICE);
        assertThat(expire(ALICE, 301)).extracting(Session::id).containsExactly("s1");
        assertThat(store.read(ALICE).isEmpty()).isTrue();
    }

    @Test
    void earlierDeadlineAfterAnUpdateIsHandedOutAtTheEarlierTime() {
        add(ALICE, "late", 1_000);
        add(ALICE, "early", 100);

        assertThat(store.takeDue(100, 100)).containsExactly(ALICE);
    }

    @Test
    void tombstoneDeadlineMakesTheSubjectDueToo() {
        Advice advice = new Advice.RemoteTermination("killer", Advice.RemoteTermination.REASON,
                new Advice.Terminator("App", Optional.empty(), Optional.empty(), 0));
        store.update(ALICE, current -> new Change<>(new SubjectSessions(List.of(),
                List.of(new EndedSession("gone", EndReason.KILLED, advice, 600))), null));

        assertThat(store.takeDue(599, 10)).isEmpty();
        assertThat(store.takeDue(600, 10)).containsExactly(ALICE);
        expire(ALICE, 600);
        assertThat(store.read(ALICE).isEmpty()).isTrue();
    }

    @Test
    void subjectRemovedAndRecreatedIsScheduledForItsNewDeadline() {
        add(ALICE, "s1", 100);
        store.update(ALICE, current -> new Change<>(SubjectSessions.EMPTY, null));
        add(ALICE, "s2", 400);

        List<SubjectKey> stale = store.takeDue(150, 10);
        for (SubjectKey subject : stale) assertThat(expire(subject, 150)).isEmpty();

        assertThat(store.takeDue(401, 10)).containsExactly(ALICE);
        assertThat(expire(ALICE, 401)).extracting(Session::id).containsExactly("s2");
    }
}
