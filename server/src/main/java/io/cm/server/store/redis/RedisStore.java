package io.cm.server.store.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.Metered;
import io.cm.core.store.SessionStore;
import io.cm.core.store.Spend;
import io.cm.core.store.Touch;
import io.cm.core.store.StoreUnavailableException;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Sessions in Redis, shared by every node. A decision is made in Java on the subject's state as
 * this node last saw it (a bounded cache) and committed by a compare-and-set on the version
 * ({@link SubjectHashes}); if another node changed the subject meanwhile, the script answers the
 * current state and the decision runs again on it. So a heartbeat of a cached subject costs one
 * round trip, a decision on a subject not cached (assumed absent) at most two, and a decision that
 * changes nothing is checked but not written.
 *
 * <p>Expiry: the {@link DueIndex} holds each subject once, at the earliest deadline scheduled; the
 * hash's {@code d} says which. A commit schedules (a {@code ZADD} pipelined with it) only when the
 * new state's next deadline is earlier than {@code d}, or when the entry is gone: handed out by
 * {@link #takeDue} to this node, or {@code d} already past (handed out elsewhere, or lost). So a
 * heartbeat, which only moves deadlines later, never touches the index; the early entry fires, the
 * expiry update finds nothing due and schedules the real deadline. Every hash expires (relative
 * {@code PEXPIRE}, from the injected clock) a margin after its last deadline, so Redis memory stays
 * bounded by live sessions even if no node ever comes back to it.
 */
public final class RedisStore implements SessionStore {

    /** Conflicts need another node committing to the same subject in between; more than this is a hot spot. */
    private static final int MAX_ATTEMPTS = 10;
    private static final int CACHED_SUBJECTS = 100_000;
    /** Hashes outlive their last deadline by this, so late expiry work (nodes restarting) still finds them. */
    private static final long TTL_MARGIN_MILLIS = Duration.ofMinutes(15).toMillis();

    private final SubjectHashes hashes;
    private final DueIndex due;
    private final RedisCalls calls;
    private final RedisThrottleBudgets budgets;
    private final Clock clock;
    private final Cache<SubjectKey, Snapshot> known = Caffeine.newBuilder().maximumSize(CACHED_SUBJECTS).build();
    /** Subjects {@link #takeDue} handed to this node whose index entry is therefore gone until rescheduled. */
    private final Set<SubjectKey> handedOut = ConcurrentHashMap.newKeySet();
    private final AtomicLong activeSessions = new AtomicLong();

    RedisStore(RedisConnection connection, RedisCalls calls, Clock clock) {
        this.hashes = new SubjectHashes(connection.commands());
        this.due = new DueIndex(connection.commands());
        this.calls = calls;
        this.budgets = new RedisThrottleBudgets(connection.commands(), calls);
        this.clock = clock;
    }

    /** A commit this node decided on: the new snapshot, and whether its deadline goes into the due index. */
    private record Write(Snapshot next, boolean schedules) {
    }

    @Override
    public <R> CompletionStage<Metered<R>> update(SubjectKey subject, Optional<Spend> spend,
                                                  Function<SubjectSessions, Change<R>> decision) {
        if (spend.isEmpty()) return decide(subject, decision).thenApply(Metered.Done::new);
        Spend request = spend.get();
        String budget = request.sessionId().map(id -> "session:" + id).orElse("init");
        return budgets.tryTake(subject, budget, request.limit(), request.now()).thenCompose(wait -> wait == 0
                ? decide(subject, decision).thenApply(Metered.Done::new)
                : CompletableFuture.completedFuture(new Metered.Throttled<>(request.now() + wait)));
    }

    private <R> CompletionStage<R> decide(SubjectKey subject, Function<SubjectSessions, Change<R>> decision) {
        Snapshot current = Optional.ofNullable(known.getIfPresent(subject)).orElse(Snapshot.ABSENT);
        return attempt(subject, decision, current, false, 1);
    }

    private <R> CompletionStage<R> attempt(SubjectKey subject, Function<SubjectSessions, Change<R>> decision,
                                           Snapshot current, boolean fresh, int attempt) {
        Change<R> change = decision.apply(current.state());
        long now = clock.millis();
        Optional<Write> write = writeFor(subject, current, change.next(), now);
        if (write.isEmpty() && fresh) {
            // Read from Redis within this call and left as it is: nothing to verify or write.
            handedOut.remove(subject);
            return CompletableFuture.completedFuture(change.result());
        }
        return commit(subject, current.version(), write, now).thenCompose(conflict -> {
            if (conflict.isEmpty()) {
                Snapshot committed = write.map(Write::next).orElse(current);
                known.put(subject, committed.state().isEmpty() ? Snapshot.ABSENT : committed);
                activeSessions.addAndGet(committed.state().active().size() - current.state().active().size());
                handedOut.remove(subject);
                return CompletableFuture.completedFuture(change.result());
            }
            if (attempt == MAX_ATTEMPTS) {
                return CompletableFuture.failedFuture(new StoreUnavailableException("Subject " + subject
                        + " changed on other nodes during " + MAX_ATTEMPTS + " attempts to commit"));
            }
            Snapshot latest = hashes.decode(conflict);
            known.put(subject, latest);
            return attempt(subject, decision, latest, true, attempt + 1);
        });
    }

    /** Not yet settled in Redis alone: every heartbeat is decided in full. */
    @Override
    public CompletionStage<Metered<Touch>> touch(SubjectKey subject, String sessionId, Spend spend, long expiresAt,
                                                 long policyVersion) {
        return CompletableFuture.completedFuture(new Metered.Done<>(new Touch.Undecided()));
    }

    /** What to write for {@code next}, or empty when neither the state nor the schedule changes. */
    private Optional<Write> writeFor(SubjectKey subject, Snapshot current, SubjectSessions next, long now) {
        boolean entryGone = current.scheduled() <= now || handedOut.contains(subject);
        long deadline = next.nextDeadline();
        boolean schedule = !next.isEmpty() && (entryGone || deadline < current.scheduled());
        if (!schedule && next.equals(current.state())) return Optional.empty();
        long scheduled = next.isEmpty() ? Snapshot.NOT_SCHEDULED : schedule ? deadline : current.scheduled();
        String version = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        return Optional.of(new Write(new Snapshot(version, next, scheduled), schedule));
    }

    /**
     * One round trip: the compare-and-set (a bare version check when there is nothing to write) and,
     * when it schedules, the {@code ZADD} pipelined with it. Should the compare-and-set fail, that
     * {@code ZADD} may still have made the entry earlier; it then fires early, and the update it
     * causes finds nothing due and schedules again.
     */
    private CompletionStage<List<byte[]>> commit(SubjectKey subject, String expected, Optional<Write> write, long now) {
        Optional<Snapshot> next = write.map(Write::next);
        long ttl = Math.max(1, next.map(n -> lastDeadline(n.state()) - now).orElse(0L)) + TTL_MARGIN_MILLIS;
        return calls.call(() -> {
            CompletionStage<List<byte[]>> cas = hashes.compareAndSet(subject, expected, next, ttl);
            if (write.isEmpty() || !write.get().schedules()) return cas;
            return cas.thenCombine(due.schedule(subject, write.get().next().scheduled()), (conflict, added) -> conflict);
        });
    }

    /** When the last thing in {@code state} expires or is forgotten. */
    private static long lastDeadline(SubjectSessions state) {
        long last = 0;
        for (Session s : state.active()) last = Math.max(last, s.expiresAt());
        for (EndedSession e : state.ended()) last = Math.max(last, e.forgetAt());
        return last;
    }

    @Override
    public CompletionStage<SubjectSessions> read(SubjectKey subject) {
        return calls.call(() -> hashes.read(subject)).thenApply(fields -> {
            Snapshot current = hashes.decode(fields);
            known.put(subject, current);
            return current.state();
        });
    }

    @Override
    public CompletionStage<List<SubjectKey>> takeDue(long now, int max) {
        return calls.call(() -> due.take(now, max)).thenApply(taken -> {
            handedOut.addAll(taken);
            return taken;
        });
    }

    /**
     * Sessions this node's commits started minus those they ended: a node does not see the others'
     * commits, so the sum over all nodes is the number of active sessions.
     */
    @Override
    public long activeSessions() {
        return activeSessions.get();
    }
}
