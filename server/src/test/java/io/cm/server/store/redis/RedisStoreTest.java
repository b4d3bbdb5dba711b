package io.cm.server.store.redis;

import io.cm.core.ManualClock;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.Metered;
import io.cm.core.store.SessionStore;
import io.cm.core.store.SessionStore.Change;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store on a real Redis, driven by a test clock: when subjects become due (each handed out
 * once, to one node), what a commit costs in commands, and that decisions on stale state run again.
 */
class RedisStoreTest {

    private static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    private static RedisServerProcess redis;

    private final ManualClock clock = new ManualClock();
    private final long t0 = clock.millis();
    private final List<RedisStorage> opened = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void empty() {
        redis.flushAll();
    }

    @AfterEach
    void close() {
        opened.forEach(RedisStorage::close);
    }

    /** A node's store; each call is another node (own cache), all on the test clock. */
    private SessionStore node() {
        RedisStorage storage = RedisStorage.open(redis.url(), clock);
        opened.add(storage);
        return storage.sessions();
    }

    private static Session session(String id, long expiresAt) {
        return new Session(id, "code-" + id, "app", 0, 0, expiresAt, Map.of());
    }

    private static SubjectSessions state(Session... active) {
        return new SubjectSessions(List.of(active), List.of());
    }

    /** Commits {@code next} whatever the current state; returns the state the decision last saw. */
    private static SubjectSessions put(SessionStore store, SubjectKey subject, SubjectSessions next) {
        return done(store.update(subject, Optional.empty(), current -> new Change<>(next, current)));
    }

    /** What the expiry task does with a due subject. */
    private void expire(SessionStore store, SubjectKey subject) {
        long now = clock.millis();
        done(store.update(subject, Optional.empty(),
                current -> new Change<>(current.withoutExpired(now), current.expiredAt(now))));
    }

    private static <R> R done(CompletionStage<Metered<R>> stage) {
        return ((Metered.Done<R>) stage.toCompletableFuture().join()).value();
    }

    private static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private long at(Duration sinceStart) {
        return t0 + sinceStart.toMillis();
    }

    /** Calls per command since the last {@code CONFIG RESETSTAT} (commands run by scripts included). */
    private static Map<String, Long> commandCalls() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : redis.cli("INFO", "commandstats").split("\n")) {
            if (!line.startsWith("cmdstat_")) continue;
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            String count = line.substring(line.indexOf("calls=") + 6, line.indexOf(','));
            calls.put(name, Long.parseLong(count));
        }
        calls.remove("config|resetstat");
        calls.remove("info");
        return calls;
    }

    private static void resetCommandCalls() {
        redis.cli("CONFIG", "RESETSTAT");
    }

    @Test
    void aSubjectIsHandedOutOnceAtItsDeadlineAndNotBefore() {
        SessionStore store = node();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(90)))));

        assertThat(await(store.takeDue(at(Duration.ofSeconds(90)) - 1, 1000))).isEmpty();
        assertThat(await(store.takeDue(at(Duration.ofSeconds(90)), 1000))).containsExactly(ALICE);
        assertThat(await(store.takeDue(at(Duration.ofSeconds(90)), 1000))).as("handed out once").isEmpty();
    }

    @Test
    void aHeartbeatLeavesTheIndexAloneAndTheEarlyEntryThenSchedulesTheRealDeadline() {
        SessionStore store = node();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(90)))));
        clock.advance(Duration.ofSeconds(60));

        resetCommandCalls();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(150)))));
        assertThat(commandCalls()).as("one compare-and-set, no index command")
                .containsEntry("evalsha", 1L).doesNotContainKey("zadd");

        clock.advance(Duration.ofSeconds(30));
        assertThat(await(store.takeDue(clock.millis(), 1000))).as("the early entry fires").containsExactly(ALICE);
        expire(store, ALICE);
        assertThat(await(store.takeDue(at(Duration.ofSeconds(150)) - 1, 1000))).isEmpty();
        assertThat(await(store.takeDue(at(Duration.ofSeconds(150)), 1000))).containsExactly(ALICE);
    }

    @Test
    void anEarlierDeadlineMovesTheSubjectsEntryForward() {
        SessionStore store = node();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(150)))));
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(150))), session("b", at(Duration.ofSeconds(30)))));

        assertThat(await(store.takeDue(at(Duration.ofSeconds(30)), 1000))).containsExactly(ALICE);
    }

    @Test
    void anEntryLostWithANodeIsScheduledAgainByTheNextUpdateAfterItsDeadline() {
        SessionStore store = node();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(90)))));
        // As if a node took the entry and died before its expiry update.
        redis.cli("ZREM", RedisKeys.dueShard(RedisKeys.dueMember(ALICE)), RedisKeys.dueMember(ALICE));
        clock.advance(Duration.ofSeconds(100));

        put(store, ALICE, state(session("b", at(Duration.ofSeconds(190)))));

        assertThat(await(store.takeDue(at(Duration.ofSeconds(190)), 1000))).containsExactly(ALICE);
    }

    @Test
    void twoNodesTakingDueSubjectsAtOnceNeverGetTheSameOne() {
        SessionStore first = node();
        SessionStore second = node();
        Set<SubjectKey> subjects = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            SubjectKey subject = new SubjectKey("idp", "s" + i);
            subjects.add(subject);
            put(i % 2 == 0 ? first : second, subject, state(session("a", at(Duration.ofSeconds(10)))));
        }

        long due = at(Duration.ofSeconds(10));
        CompletableFuture<List<SubjectKey>> byFirst = CompletableFuture.supplyAsync(() -> takeAll(first, due));
        CompletableFuture<List<SubjectKey>> bySecond = CompletableFuture.supplyAsync(() -> takeAll(second, due));

        List<SubjectKey> all = new ArrayList<>(byFirst.join());
        all.addAll(bySecond.join());
        assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(subjects);
    }

    /** Takes in small batches (16 per call, one per shard), so that the two nodes interleave. */
    private static List<SubjectKey> takeAll(SessionStore store, long now) {
        List<SubjectKey> taken = new ArrayList<>();
        for (List<SubjectKey> batch = await(store.takeDue(now, 16)); !batch.isEmpty(); batch = await(store.takeDue(now, 16))) {
            taken.addAll(batch);
        }
        return taken;
    }

    @Test
    void aHashExpiresAMarginAfterItsLastDeadlineAndAnEmptiedSubjectLeavesNoHash() {
        SessionStore store = node();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(30))), session("b", at(Duration.ofSeconds(90)))));
        assertThat(store.activeSessions()).isEqualTo(2);

        long ttl = Long.parseLong(redis.cli("PTTL", RedisKeys.subject(ALICE)));
        long expected = Duration.ofSeconds(90).plusMinutes(15).toMillis();
        assertThat(ttl).isBetween(expected - 5_000, expected);

        put(store, ALICE, SubjectSessions.EMPTY);
        assertThat(redis.cli("EXISTS", RedisKeys.subject(ALICE))).isEqualTo("0");
        assertThat(store.activeSessions()).isZero();
    }

    @Test
    void aDecisionThatChangesNothingIsCheckedInOneCallButNotWritten() {
        SessionStore store = node();
        SubjectSessions stored = state(session("a", at(Duration.ofSeconds(90))));
        put(store, ALICE, stored);
        String version = redis.cli("HGET", RedisKeys.subject(ALICE), "v");

        resetCommandCalls();
        put(store, ALICE, stored);

        assertThat(commandCalls()).containsEntry("evalsha", 1L).doesNotContainKeys("hset", "zadd", "pexpire");
        assertThat(redis.cli("HGET", RedisKeys.subject(ALICE), "v")).isEqualTo(version);
    }

    @Test
    void aNewSubjectCostsOneCallWithItsScheduleAndACachedOneOneCall() {
        SessionStore store = node();

        resetCommandCalls();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(90)))));
        assertThat(commandCalls()).as("init of a new subject").containsEntry("evalsha", 1L).containsEntry("zadd", 1L);

        resetCommandCalls();
        put(store, ALICE, state(session("a", at(Duration.ofSeconds(100)))));
        assertThat(commandCalls()).as("heartbeat").containsEntry("evalsha", 1L).doesNotContainKey("zadd");
    }

    @Test
    void aDecisionMadeOnStateAnotherNodeChangedRunsAgainOnTheCurrentState() {
        SessionStore first = node();
        SessionStore second = node();
        put(first, ALICE, state(session("a", at(Duration.ofSeconds(90)))));
        put(second, ALICE, state(session("a", at(Duration.ofSeconds(90))), session("b", at(Duration.ofSeconds(90)))));

        resetCommandCalls();
        List<Integer> seen = new ArrayList<>();
        int decidedOn = done(first.update(ALICE, Optional.empty(), current -> {
            seen.add(current.active().size());
            return new Change<>(current, current.active().size());
        }));

        assertThat(seen).as("first on its cached state, then on the current one").containsExactly(1, 2);
        assertThat(decidedOn).isEqualTo(2);
        assertThat(commandCalls()).as("the failed check returned the current state").containsEntry("evalsha", 1L);
        assertThat(await(second.read(ALICE)).active()).extracting(Session::id).containsExactly("a", "b");
    }
}
