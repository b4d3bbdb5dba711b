package io.cm.core.store;

import io.cm.core.ManualClock;
import io.cm.core.evaluation.Advice;
import io.cm.core.session.EndReason;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.SessionStore.Change;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * The rules every {@link SessionStore} keeps, written once: each store's test extends this and
 * says how to open the store.
 */
public abstract class StoreContract {

    protected static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    protected static final SubjectKey BOB = new SubjectKey("idp", "bob");
    protected static final long VERSION = 42;
    private static final RequestLimit THREE_PER_SECOND = new RequestLimit(3, 1_000);

    protected final ManualClock clock = new ManualClock();
    protected SessionStore store;

    /** A new, empty store whose time-dependent parts (if any) read {@code clock}. */
    protected abstract SessionStore open(ManualClock clock);

    /** Releases what {@link #open} took; nothing by default. */
    protected void close(SessionStore store) {
    }

    @BeforeEach
    void openStore() {
        store = open(clock);
    }

    @AfterEach
    void closeStore() {
        close(store);
    }

    protected static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    protected static Session session(String id, long expiresAt) {
        return new Session(id, "C" + id, "app", 0, 0, expiresAt, Map.of("deviceId", "d-" + id));
    }

    protected <R> R update(SubjectKey subject, Function<SubjectSessions, Change<R>> decision) {
        Metered<R> metered = await(store.update(subject, Optional.empty(), decision));
        return ((Metered.Done<R>) metered).value();
    }

    protected SubjectSessions read(SubjectKey subject) {
        return await(store.read(subject));
    }

    protected List<SubjectKey> takeDue(long now, int max) {
        return await(store.takeDue(now, max));
    }

    /** Adds a session expiring at {@code expiresAt}, in a state evaluated under {@link #VERSION}. */
    protected void add(SubjectKey subject, String id, long expiresAt) {
        update(subject, current -> {
            List<Session> active = new ArrayList<>(current.active());
            active.add(session(id, expiresAt));
            return new Change<>(new SubjectSessions(active, current.ended(), VERSION), null);
        });
    }

    /** What an expiry pass does with a due subject. */
    protected List<Session> expire(SubjectKey subject, long now) {
        return update(subject, current -> new Change<>(current.withoutExpired(now), current.expiredAt(now)));
    }

    private Metered<String> init(SubjectKey subject, long now) {
        return await(store.update(subject, Optional.of(Spend.init(THREE_PER_SECOND, now)),
                current -> new Change<>(current, "decided")));
    }

    private Metered<Touch> touch(SubjectKey subject, String id, long now, long expiresAt) {
        return await(store.touch(subject, id, Spend.session(id, THREE_PER_SECOND, now), expiresAt, VERSION));
    }

    @Test
    void unknownSubjectReadsAsEmpty() {
        assertThat(read(ALICE)).isEqualTo(SubjectSessions.EMPTY);
    }

    @Test
    void updateSeesTheCurrentStateCommitsTheNextAndReturnsTheDecisionsResult() {
        add(ALICE, "s1", 100);

        String result = update(ALICE, current -> {
            assertThat(current.active()).extracting(Session::id).containsExactly("s1");
            return new Change<>(new SubjectSessions(List.of(session("s2", 200)), List.of(), VERSION), "decided");
        });

        assertThat(result).isEqualTo("decided");
        assertThat(read(ALICE).active()).containsExactly(session("s2", 200));
        assertThat(read(ALICE).policyVersion()).isEqualTo(VERSION);
        assertThat(read(BOB).isEmpty()).isTrue();
    }

    @Test
    void endedSessionsAreKeptWithTheirAdvice() {
        Advice advice = new Advice.RemoteTermination("killer", Advice.RemoteTermination.REASON,
                new Advice.Terminator("App", Optional.of("TV"), Optional.empty(), 7));
        EndedSession ended = new EndedSession("gone", EndReason.KILLED, advice, 600);
        update(ALICE, current -> new Change<>(new SubjectSessions(List.of(session("s1", 500)), List.of(ended)), null));

        assertThat(read(ALICE).ended()).containsExactly(ended);
    }

    @Test
    void activeSessionCountFollowsEveryCommit() {
        add(ALICE, "a1", 100);
        add(ALICE, "a2", 100);
        add(BOB, "b1", 100);
        assertThat(store.activeSessions()).isEqualTo(3);

        update(ALICE, current -> new Change<>(SubjectSessions.EMPTY, null));

        assertThat(store.activeSessions()).isEqualTo(1);
        assertThat(read(ALICE)).isEqualTo(SubjectSessions.EMPTY);
    }

    @Test
    void concurrentUpdatesOfOneSubjectLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 100;
        inParallel(threads, thread -> {
            for (int i = 0; i < perThread; i++) add(ALICE, thread + "-" + i, Long.MAX_VALUE - 1);
        });

        List<Session> active = read(ALICE).active();
        assertThat(active).hasSize(threads * perThread);
        assertThat(active.stream().map(Session::id).distinct()).hasSize(threads * perThread);
        assertThat(store.activeSessions()).isEqualTo(threads * perThread);
    }

    @Test
    void concurrentReadModifyWriteCountersOnOneSubjectLoseNoIncrement() throws Exception {
        int threads = 4;
        int perThread = 200;
        AtomicInteger commits = new AtomicInteger();
        inParallel(threads, thread -> {
            for (int i = 0; i < perThread; i++) {
                update(ALICE, current -> {
                    Session counter = current.activeSession("counter").orElse(session("counter", 1_000));
                    int n = Integer.parseInt(counter.metadata().getOrDefault("n", "0"));
                    Session next = counter.heartbeat(0, 1_000, Map.of("n", Integer.toString(n + 1)));
                    return new Change<>(new SubjectSessions(List.of(next), List.of()), null);
                });
                commits.incrementAndGet();
            }
        });

        assertThat(read(ALICE).activeSession("counter").orElseThrow().metadata())
                .containsEntry("n", Integer.toString(commits.get()));
        assertThat(commits.get()).isEqualTo(threads * perThread);
        assertThat(store.activeSessions()).isEqualTo(1);
    }

    private static void inParallel(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    body.run(thread);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : futures) future.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ThreadBody {
        void run(int thread) throws Exception;
    }

    @Test
    void takeDueHandsOutOnlySubjectsWhoseDeadlineIsAtOrBeforeNow() {
        add(new SubjectKey("idp", "early"), "e", 100);
        add(new SubjectKey("idp", "middle"), "m", 200);
        add(new SubjectKey("idp", "late"), "l", 300);

        assertThat(takeDue(99, 100)).isEmpty();
        assertThat(takeDue(150, 100)).containsExactly(new SubjectKey("idp", "early"));
        assertThat(takeDue(200, 100)).containsExactly(new SubjectKey("idp", "middle"));
    }

    @Test
    void aDueSubjectIsHandedOutOncePerDeadline() {
        add(ALICE, "s1", 100);

        assertThat(takeDue(500, 100)).containsExactly(ALICE);
        assertThat(takeDue(500, 100)).isEmpty();
    }

    @Test
    void onlyTheExpiredFewAreHandedOutAmongManyLiveSubjects() {
        for (int i = 0; i < 2_000; i++) add(new SubjectKey("idp", "live" + i), "l" + i, 1_000_000);
        for (int i = 0; i < 3; i++) add(new SubjectKey("idp", "dead" + i), "d" + i, 100);

        List<SubjectKey> due = takeDue(500, 10_000);

        assertThat(due).extracting(SubjectKey::subject).containsExactlyInAnyOrder("dead0", "dead1", "dead2");
        for (SubjectKey subject : due) assertThat(expire(subject, 500)).hasSize(1);
        assertThat(store.activeSessions()).isEqualTo(2_000);
        assertThat(takeDue(500, 10_000)).isEmpty();
    }

    @Test
    void laterDeadlineAfterAnUpdateIsHandedOutAgainAtThatDeadlineNotBefore() {
        add(ALICE, "s1", 100);
        update(ALICE, current -> new Change<>(new SubjectSessions(List.of(session("s1", 300)), List.of()), null));

        assertThat(takeDue(150, 100)).containsExactly(ALICE); // the stale entry fires: nothing is expired yet
        assertThat(expire(ALICE, 150)).isEmpty();

        assertThat(takeDue(299, 100)).isEmpty();
        assertThat(takeDue(301, 100)).containsExactly(ALICE);
        assertThat(expire(ALICE, 301)).extracting(Session::id).containsExactly("s1");
        assertThat(read(ALICE).isEmpty()).isTrue();
    }

    @Test
    void earlierDeadlineAfterAnUpdateIsHandedOutAtTheEarlierTime() {
        add(ALICE, "late", 1_000);
        add(ALICE, "early", 100);

        assertThat(takeDue(100, 100)).containsExactly(ALICE);
    }

    @Test
    void tombstoneDeadlineMakesTheSubjectDueToo() {
        Advice advice = new Advice.RemoteTermination("killer", Advice.RemoteTermination.REASON,
                new Advice.Terminator("App", Optional.empty(), Optional.empty(), 0));
        update(ALICE, current -> new Change<>(new SubjectSessions(List.of(),
                List.of(new EndedSession("gone", EndReason.KILLED, advice, 600))), null));

        assertThat(takeDue(599, 100)).isEmpty();
        assertThat(takeDue(600, 100)).containsExactly(ALICE);
        expire(ALICE, 600);
        assertThat(read(ALICE).isEmpty()).isTrue();
    }

    @Test
    void subjectRemovedAndRecreatedIsScheduledForItsNewDeadline() {
        add(ALICE, "s1", 100);
        update(ALICE, current -> new Change<>(SubjectSessions.EMPTY, null));
        add(ALICE, "s2", 400);

        for (SubjectKey subject : takeDue(150, 100)) assertThat(expire(subject, 150)).isEmpty();

        assertThat(takeDue(401, 100)).containsExactly(ALICE);
        assertThat(expire(ALICE, 401)).extracting(Session::id).containsExactly("s2");
    }

    @Test
    void touchMovesTheTimesOfAnActiveSessionAndNothingElse() {
        add(ALICE, "s1", 1_000);
        add(ALICE, "s2", 1_000);

        Metered<Touch> touched = touch(ALICE, "s1", 500, 5_000);

        Session expected = new Session("s1", "Cs1", "app", 0, 500, 5_000, Map.of("deviceId", "d-s1"));
        assertThat(touched).asInstanceOf(type(Metered.Done.class)).extracting(Metered.Done::value)
                .isEqualTo(new Touch.Touched(expected));
        assertThat(read(ALICE).active()).containsExactly(expected, session("s2", 1_000));
        assertThat(store.activeSessions()).isEqualTo(2);
    }

    @Test
    void touchLeavesToAFullDecisionWhatItCannotSettle() {
        add(ALICE, "s1", 1_000);
        Metered<Touch> undecided = new Metered.Done<>(new Touch.Undecided());

        assertThat(touch(ALICE, "other", 500, 5_000)).as("unknown session").isEqualTo(undecided);
        assertThat(touch(BOB, "s1", 500, 5_000)).as("unknown subject").isEqualTo(undecided);
        assertThat(touch(ALICE, "s1", 1_001, 5_000)).as("expired session").isEqualTo(undecided);
        assertThat(await(store.touch(ALICE, "s1", Spend.session("s1", THREE_PER_SECOND, 500), 5_000, VERSION + 1)))
                .as("evaluated under other policies").isEqualTo(undecided);
        assertThat(read(ALICE).active()).containsExactly(session("s1", 1_000));
    }

    @Test
    void initsBeyondTheLimitAreThrottledUntilTheWindowEndsAndCommitNothing() {
        for (int i = 0; i < 3; i++) {
            assertThat(init(ALICE, 100 + i)).isEqualTo(new Metered.Done<>("decided"));
        }
        Metered<Object> fourth = await(store.update(ALICE, Optional.of(Spend.init(THREE_PER_SECOND, 500)),
                current -> new Change<>(new SubjectSessions(List.of(session("s1", 10_000)), List.of()), null)));

        assertThat(fourth).isEqualTo(new Metered.Throttled<>(1_100));
        assertThat(read(ALICE).isEmpty()).as("nothing committed").isTrue();
        assertThat(init(BOB, 500)).as("another subject's budget").isEqualTo(new Metered.Done<>("decided"));
        assertThat(init(ALICE, 1_100)).as("the next window").isEqualTo(new Metered.Done<>("decided"));
    }

    @Test
    void aSubjectsInitBudgetOutlivesItsSessions() {
        for (int i = 0; i < 3; i++) {
            int n = i;
            await(store.update(ALICE, Optional.of(Spend.init(THREE_PER_SECOND, 100)), current ->
                    new Change<>(new SubjectSessions(List.of(session("s" + n, 10_000)), List.of()), null)));
            update(ALICE, current -> new Change<>(SubjectSessions.EMPTY, null));
        }

        assertThat(init(ALICE, 200)).isEqualTo(new Metered.Throttled<>(1_100));
    }

    @Test
    void eachSessionHasItsOwnRequestBudgetSpentByTouchesAndUpdates() {
        add(ALICE, "s1", 10_000);
        add(ALICE, "s2", 10_000);

        assertThat(touch(ALICE, "s1", 100, 10_000)).isInstanceOf(Metered.Done.class);
        assertThat(touch(ALICE, "s1", 101, 10_000)).isInstanceOf(Metered.Done.class);
        Metered<String> third = await(store.update(ALICE, Optional.of(Spend.session("s1", THREE_PER_SECOND, 102)),
                current -> new Change<>(current, "stopped")));
        assertThat(third).isEqualTo(new Metered.Done<>("stopped"));

        assertThat(touch(ALICE, "s1", 103, 10_000)).isEqualTo(new Metered.Throttled<>(1_100));
        assertThat(touch(ALICE, "s2", 103, 10_000)).isInstanceOf(Metered.Done.class);
        assertThat(touch(ALICE, "s1", 1_100, 10_000)).isInstanceOf(Metered.Done.class);
    }

    @Test
    void requestsAboutASessionThatIsNotActiveAreNotMetered() {
        for (int i = 0; i < 5; i++) {
            Metered<String> outcome = await(store.update(ALICE,
                    Optional.of(Spend.session("ended", THREE_PER_SECOND, 100)), current -> new Change<>(current, "gone")));
            assertThat(outcome).isEqualTo(new Metered.Done<>("gone"));
        }
    }
}
