package io.cm.server.store.redis;

import io.cm.core.ManualClock;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.Metered;
import io.cm.core.store.RequestLimit;
import io.cm.core.store.SessionStore;
import io.cm.core.store.SessionStore.Change;
import io.cm.core.store.Spend;
import io.cm.core.store.Touch;
import io.cm.server.store.SubjectSessionsCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * The Redis store on a real Redis, driven by a test clock, beyond the rules every store keeps: when
 * subjects become due (each handed out once, to one node), what a heartbeat and an init cost in
 * commands (INFO commandstats counts a script call as {@code evalsha} plus each command it runs), and
 * that decisions on stale state run again.
 */
class RedisStoreTest {

    private static final SubjectKey ALICE = new SubjectKey("idp", "alice");
    private static final long POLICIES = 7;
    private static final RequestLimit LIMIT = new RequestLimit(100, 60_000);
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

    /** Sessions evaluated together under {@link #POLICIES}, which heartbeats may then only touch. */
    private static SubjectSessions evaluated(Session... active) {
        return new SubjectSessions(List.of(active), List.of(), POLICIES);
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

    /** A heartbeat without metadata at the clock's time, under {@link #POLICIES}. */
    private Metered<Touch> touch(SessionStore store, String id, Duration lifetime) {
        long now = clock.millis();
        return await(store.touch(ALICE, id, Spend.session(id, LIMIT, now), now + lifetime.toMillis(), POLICIES));
    }

    /** An init that adds {@code session} to what the store holds. */
    private static void init(SessionStore store, Session session, long now) {
        done(store.update(ALICE, Optional.of(Spend.init(LIMIT, now)), current -> {
            List<Session> active = new ArrayList<>(current.active());
            active.add(session);
            return new Change<>(new SubjectSessions(active, current.ended(), POLICIES), null);
        }));
    }

    @Test
    void aTouchIsOneScriptCallThatWritesOnlyItsSessionsFields() {
        SessionStore store = node();
        put(store, ALICE, evaluated(session("a", at(Duration.ofSeconds(90))), session("b", at(Duration.ofSeconds(90)))));
        touch(store, "a", Duration.ofSeconds(90));
        String structure = redis.cli("HGET", RedisKeys.subject(ALICE), "s");
        clock.advance(Duration.ofSeconds(30));

        resetCommandCalls();
        Metered<Touch> touched = touch(store, "a", Duration.ofSeconds(90));

        assertThat(touched).asInstanceOf(type(Metered.Done.class)).extracting(Metered.Done::value)
                .asInstanceOf(type(Touch.Touched.class)).extracting(t -> t.session().expiresAt())
                .isEqualTo(at(Duration.ofSeconds(120)));
        assertThat(commandCalls()).as("the script and what it runs: nothing else")
                .isEqualTo(Map.of("evalsha", 1L, "hmget", 1L, "hset", 1L, "pttl", 1L, "pexpire", 1L));
        assertThat(redis.cli("HGET", RedisKeys.subject(ALICE), "s")).as("the structure is not rewritten")
                .isEqualTo(structure);
        assertThat(redis.cli("HGET", RedisKeys.subject(ALICE), "t:a"))
                .isEqualTo(at(Duration.ofSeconds(30)) + ":" + at(Duration.ofSeconds(120)));
        assertThat(Long.parseLong(redis.cli("PTTL", RedisKeys.subject(ALICE)))).as("the hash outlives the new deadline")
                .isGreaterThan(Duration.ofSeconds(90).plusMinutes(14).toMillis());
    }

    @Test
    void aTouchOnANodeWithAnOlderVersionGetsTheHashBackInTheSameReply() {
        SessionStore first = node();
        SessionStore second = node();
        put(first, ALICE, evaluated(session("a", at(Duration.ofSeconds(90)))));
        init(first, session("b", at(Duration.ofSeconds(90))), clock.millis());
        clock.advance(Duration.ofSeconds(10));

        resetCommandCalls();
        Metered<Touch> touched = touch(second, "b", Duration.ofSeconds(90));

        assertThat(touched).asInstanceOf(type(Metered.Done.class)).extracting(Metered.Done::value)
                .isEqualTo(new Touch.Touched(session("b", at(Duration.ofSeconds(90)))
                        .heartbeat(clock.millis(), at(Duration.ofSeconds(100)), Map.of())));
        assertThat(commandCalls()).containsEntry("evalsha", 1L).containsEntry("hgetall", 1L);
    }

    @Test
    void anInitOfACachedSubjectIsOneScriptCallAndOfANewSubjectOneWithItsSchedule() {
        SessionStore store = node();
        init(store, session("warm-up", at(Duration.ofSeconds(90))), clock.millis());
        redis.flushAll();
        store = node();

        resetCommandCalls();
        init(store, session("a", at(Duration.ofSeconds(90))), clock.millis());
        assertThat(commandCalls()).as("new subject: checks, budget, state, times, TTL and the due entry")
                .isEqualTo(Map.of("evalsha", 1L, "hget", 3L, "hset", 3L, "pttl", 1L, "pexpire", 1L, "zadd", 1L));

        clock.advance(Duration.ofSeconds(1));
        resetCommandCalls();
        init(store, session("b", at(Duration.ofSeconds(91))), clock.millis());
        assertThat(commandCalls()).as("cached subject: the same in one call, the due entry left as it is")
                .isEqualTo(Map.of("evalsha", 1L, "hget", 3L, "hset", 3L, "pttl", 1L, "pexpire", 1L));
    }

    @Test
    void aSessionThatLooksExpiredInTheCacheButWasTouchedElsewhereIsDecidedAgainAlive() {
        SessionStore first = node();
        SessionStore second = node();
        put(first, ALICE, evaluated(session("a", at(Duration.ofSeconds(90)))));
        clock.advance(Duration.ofSeconds(60));
        touch(second, "a", Duration.ofSeconds(90));
        clock.advance(Duration.ofSeconds(40));

        List<List<String>> seenExpired = new ArrayList<>();
        long now = clock.millis();
        List<Session> expired = done(first.update(ALICE, Optional.empty(), current -> {
            seenExpired.add(current.expiredAt(now).stream().map(Session::id).toList());
            return new Change<>(current.withoutExpired(now), current.expiredAt(now));
        }));

        assertThat(seenExpired).as("the cache says expired; Redis refuses; the current state says alive")
                .containsExactly(List.of("a"), List.of());
        assertThat(expired).isEmpty();
        assertThat(await(second.read(ALICE)).active()).extracting(Session::id).containsExactly("a");
    }

    @Test
    void anEmptiedSubjectKeepsOnlyItsInitBudgetAndASessionsBudgetGoesWithIt() {
        SessionStore store = node();
        init(store, session("a", at(Duration.ofSeconds(90))), clock.millis());
        touch(store, "a", Duration.ofSeconds(90));
        assertThat(redis.cli("HKEYS", RedisKeys.subject(ALICE)).split("\n"))
                .containsExactlyInAnyOrder("v", "s", "d", "p", "i", "t:a", "b:a");

        put(store, ALICE, SubjectSessions.EMPTY);

        assertThat(redis.cli("HKEYS", RedisKeys.subject(ALICE))).isEqualTo("i");
        assertThat(Long.parseLong(redis.cli("PTTL", RedisKeys.subject(ALICE)))).isPositive();
    }

    @Test
    void aHashOfTheEarlierLayoutIsReadWithTheTimesInsideAndUpgradedByItsNextCommit() {
        SubjectSessions earlier = evaluated(session("a", at(Duration.ofSeconds(90))), session("b", at(Duration.ofSeconds(30))));
        redis.cli("HSET", RedisKeys.subject(ALICE), "v", "earlier", "s",
                new String(new SubjectSessionsCodec().encode(earlier), StandardCharsets.UTF_8),
                "d", Long.toString(at(Duration.ofSeconds(30))));
        SessionStore store = node();
        clock.advance(Duration.ofSeconds(40));

        assertThat(touch(store, "a", Duration.ofSeconds(90))).as("no p, no t: fields: decided in full")
                .isEqualTo(new Metered.Done<>(new Touch.Undecided()));
        long now = clock.millis();
        List<Session> expired = done(store.update(ALICE, Optional.empty(), current -> {
            SubjectSessions alive = current.withoutExpired(now);
            SubjectSessions beaten = alive.activeSession("a")
                    .map(a -> alive.replacing(a.heartbeat(now, now + 90_000, a.metadata()))).orElse(alive);
            return new Change<>(beaten, current.expiredAt(now));
        }));

        assertThat(expired).extracting(Session::id).containsExactly("b");
        assertThat(redis.cli("HKEYS", RedisKeys.subject(ALICE)).split("\n")).contains("p", "t:a");
        assertThat(touch(store, "a", Duration.ofSeconds(90))).isInstanceOf(Metered.Done.class)
                .isNotEqualTo(new Metered.Done<>(new Touch.Undecided()));
    }

    @Test
    void aCommitSentTwiceIsMadeOnceAsAResendAfterAReconnectWouldBe() {
        try (RedisConnection connection = RedisConnection.open(redis.url())) {
            SubjectHashes hashes = new SubjectHashes(connection.commands(), true);
            Snapshot next = new Snapshot("v1", evaluated(session("a", at(Duration.ofSeconds(90)))),
                    at(Duration.ofSeconds(90)));
            SubjectHashes.Commit commit = new SubjectHashes.Commit(Snapshot.ABSENT,
                    Optional.of(Spend.init(LIMIT, clock.millis())), clock.millis(), Optional.of(next), true,
                    Duration.ofMinutes(20).toMillis(), Duration.ofMinutes(20).toMillis());

            assertThat(await(hashes.commit(ALICE, commit))).isEqualTo(new Metered.Done<>(Optional.empty()));
            assertThat(await(hashes.commit(ALICE, commit))).isEqualTo(new Metered.Done<>(Optional.empty()));

            assertThat(redis.cli("HGET", RedisKeys.subject(ALICE), "i")).as("one request taken")
                    .isEqualTo(clock.millis() + ":1:" + LIMIT.windowMillis());
        }
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
