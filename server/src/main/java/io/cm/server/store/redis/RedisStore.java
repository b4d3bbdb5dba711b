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
import io.cm.core.store.StoreUnavailableException;
import io.cm.core.store.Touch;
import io.cm.server.store.redis.SubjectHashes.Commit;
import io.cm.server.store.redis.SubjectHashes.TouchReply;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Sessions in Redis, shared by every node, one hash per subject ({@link SubjectHashes}).
 *
 * <p>A heartbeat without metadata under unchanged policies is one script call ({@link #touch}):
 * throttle, liveness and policy-version check, and the session's own times, without reading or
 * writing the subject's other sessions. Any other decision is made in Java on the subject's state
 * as this node last saw it (a bounded cache) and committed by one script call that takes the
 * request from its budget, checks the version, and writes; if another node changed the subject
 * meanwhile, the reply carries the current state and the decision runs again on it. Touches move
 * times without a new version, so a cached state may show a session as expired that a heartbeat on
 * another node kept alive: the commit names the sessions the decision saw expired, with the times
 * it saw, and is refused like a version conflict if any has moved. So a decision on a cached
 * subject costs one round trip, on a stale or uncached one two, and one that changes nothing is
 * checked but not written.
 *
 * <p>Expiry: the {@link DueIndex} holds each subject once, at the earliest deadline scheduled; the
 * hash's {@code d} says which. A commit schedules only when the new state's next deadline is
 * earlier than {@code d}, or when the entry is gone: handed out by {@link #takeDue} to this node,
 * or {@code d} already past (handed out elsewhere, or lost). On a standalone Redis the commit
 * script does the {@code ZADD}; on a cluster (other slot) it is pipelined with it, same round trip.
 * So a heartbeat, which only moves deadlines later, never touches the index; the early entry
 * fires, the expiry update finds nothing due and schedules the real deadline.
 */
public final class RedisStore implements SessionStore {

    /** Conflicts need another node committing to the same subject in between; more than this is a hot spot. */
    private static final int MAX_ATTEMPTS = 10;
    private static final int CACHED_SUBJECTS = 100_000;
    /** Hashes outlive their last deadline by this, so late expiry work (nodes restarting) still finds them. */
    private static final long TTL_MARGIN_MILLIS = Duration.ofMinutes(15).toMillis();
    /** Deadlines are minutes away; this bound keeps TTL arithmetic and Redis's expire range safe from odd ones. */
    private static final long MAX_TTL_MILLIS = Duration.ofDays(1).toMillis();
    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);

    private final SubjectHashes hashes;
    private final DueIndex due;
    private final RedisCalls calls;
    private final Clock clock;
    private final Cache<SubjectKey, Snapshot> known = Caffeine.newBuilder().maximumSize(CACHED_SUBJECTS).build();
    /** Subjects {@link #takeDue} handed to this node whose index entry is therefore gone until rescheduled. */
    private final Set<SubjectKey> handedOut = ConcurrentHashMap.newKeySet();
    private final AtomicLong activeSessions = new AtomicLong();
    /** Per subject, the end of this node's last update queued; removed when the subject's queue empties. */
    private final ConcurrentHashMap<SubjectKey, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    RedisStore(RedisConnection connection, RedisCalls calls, Clock clock) {
        this.hashes = new SubjectHashes(connection.commands(), !connection.isCluster());
        this.due = new DueIndex(connection.commands());
        this.calls = calls;
        this.clock = clock;
    }

    /** A commit this node decided on: the new snapshot, and whether its deadline goes into the due index. */
    private record Write(Snapshot next, boolean schedules) {
    }

    /**
     * Runs after this node's earlier updates of the subject: they would only make each other's commits
     * fail and run again, so a node's updates of one subject queue up and only other nodes race them.
     */
    @Override
    public <R> CompletionStage<Metered<R>> update(SubjectKey subject, Optional<Spend> spend,
                                                  Function<SubjectSessions, Change<R>> decision) {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        CompletableFuture<Void> before = Objects.requireNonNullElse(tails.put(subject, turn), IDLE);
        return before.thenCompose(ignored -> attempt(subject, spend, decision,
                        Optional.ofNullable(known.getIfPresent(subject)).orElse(Snapshot.ABSENT), false, 1))
                .whenComplete((outcome, error) -> {
                    tails.remove(subject, turn);
                    turn.complete(null);
                });
    }

    private <R> CompletionStage<Metered<R>> attempt(SubjectKey subject, Optional<Spend> spend,
                                                    Function<SubjectSessions, Change<R>> decision,
                                                    Snapshot current, boolean fresh, int attempt) {
        Change<R> change = decision.apply(current.state());
        long now = clock.millis();
        Optional<Write> write = writeFor(subject, current, change.next(), now);
        if (write.isEmpty() && fresh && spend.isEmpty()) {
            // Read from Redis within this call, left as it is, and no request to count: nothing to send.
            handedOut.remove(subject);
            return CompletableFuture.completedFuture(new Metered.Done<>(change.result()));
        }
        long budgetTtl = ttl(spend.map(s -> s.limit().windowMillis()).orElse(0L));
        Commit commit = new Commit(current, spend, spend.map(Spend::now).orElse(now), write.map(Write::next),
                write.map(Write::schedules).orElse(false),
                Math.max(budgetTtl, ttl(write.map(w -> lastDeadline(w.next().state())).orElse(now) - now)), budgetTtl);
        return send(subject, commit).thenCompose(reply -> switch (reply) {
            case Metered.Throttled<Optional<Snapshot>> throttled ->
                    CompletableFuture.completedFuture(new Metered.Throttled<>(throttled.acceptedFrom()));
            case Metered.Done<Optional<Snapshot>> done when done.value().isEmpty() -> {
                Snapshot committed = write.map(Write::next).orElse(current);
                known.put(subject, committed.state().isEmpty() ? Snapshot.ABSENT : committed);
                activeSessions.addAndGet(committed.state().active().size() - current.state().active().size());
                handedOut.remove(subject);
                yield CompletableFuture.completedFuture(new Metered.Done<>(change.result()));
            }
            case Metered.Done<Optional<Snapshot>> conflict -> {
                if (attempt == MAX_ATTEMPTS) {
                    yield CompletableFuture.failedFuture(new StoreUnavailableException("Subject " + subject
                            + " changed on other nodes during " + MAX_ATTEMPTS + " attempts to commit"));
                }
                Snapshot latest = conflict.value().orElseThrow();
                known.put(subject, latest);
                yield attempt(subject, spend, decision, latest, true, attempt + 1);
            }
        });
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
     * One round trip: the commit script and, on a cluster when it schedules, the {@code ZADD}
     * pipelined with it. Should that commit be refused, the {@code ZADD} may still have made the
     * entry earlier; it then fires early, and the update it causes finds nothing due and schedules again.
     */
    private CompletionStage<Metered<Optional<Snapshot>>> send(SubjectKey subject, Commit commit) {
        return calls.call(() -> {
            CompletionStage<Metered<Optional<Snapshot>>> committed = hashes.commit(subject, commit);
            if (!commit.schedules() || hashes.schedulesInScript()) return committed;
            return committed.thenCombine(due.schedule(subject, commit.next().orElseThrow().scheduled()),
                    (reply, added) -> reply);
        });
    }

    /** How long a hash must live to keep something due {@code millis} from now. */
    private static long ttl(long millis) {
        return Math.clamp(millis, 1, MAX_TTL_MILLIS) + TTL_MARGIN_MILLIS;
    }

    /** When the last thing in {@code state} expires or is forgotten. */
    private static long lastDeadline(SubjectSessions state) {
        long last = 0;
        for (Session s : state.active()) last = Math.max(last, s.expiresAt());
        for (EndedSession e : state.ended()) last = Math.max(last, e.forgetAt());
        return last;
    }

    @Override
    public CompletionStage<Metered<Touch>> touch(SubjectKey subject, String sessionId, Spend spend, long expiresAt,
                                                 long policyVersion) {
        Snapshot cached = known.getIfPresent(subject);
        String cachedVersion = cached == null ? Snapshot.ABSENT_VERSION : cached.version();
        long ttl = ttl(expiresAt - spend.now());
        return calls.call(() -> hashes.touch(subject, sessionId, spend, expiresAt, policyVersion, ttl, cachedVersion))
                .thenApply(reply -> switch (reply) {
                    case Metered.Throttled<TouchReply> throttled -> new Metered.Throttled<>(throttled.acceptedFrom());
                    case Metered.Done<TouchReply>(TouchReply.Undecided undecided) -> new Metered.Done<>(new Touch.Undecided());
                    case Metered.Done<TouchReply>(TouchReply.Moved moved) -> new Metered.Done<>(new Touch.Touched(
                            moved(subject, sessionId, spend.now(), expiresAt, cached, moved.current())));
                });
    }

    /**
     * The session a touch moved, built from the snapshot it was checked against: the one Redis sent
     * back, or else the cached one, whose version Redis confirmed. That snapshot is cached with it.
     */
    private Session moved(SubjectKey subject, String sessionId, long now, long expiresAt, Snapshot cached,
                          Optional<Snapshot> sent) {
        Snapshot seen = sent.orElse(cached);
        Session before = seen.state().activeSession(sessionId).orElseThrow(() -> new IllegalStateException(
                "Session " + sessionId + " has times but is not in " + subject + "'s sessions"));
        Session session = before.heartbeat(now, expiresAt, before.metadata());
        Snapshot updated = seen.withState(seen.state().replacing(session));
        if (sent.isPresent()) {
            known.put(subject, updated);
        } else {
            known.asMap().computeIfPresent(subject,
                    (key, present) -> present.version().equals(seen.version()) ? updated : present);
        }
        return session;
    }

    @Override
    public CompletionStage<SubjectSessions> read(SubjectKey subject) {
        return calls.call(() -> hashes.read(subject)).thenApply(current -> {
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
