package io.cm.core.service;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Candidate;
import io.cm.core.evaluation.Dismissal;
import io.cm.core.evaluation.Evaluation;
import io.cm.core.evaluation.PolicyEvaluator;
import io.cm.core.evaluation.Verdict;
import io.cm.core.event.EventLog;
import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.session.EndReason;
import io.cm.core.session.EndedSession;
import io.cm.core.session.MetadataKeys;
import io.cm.core.session.Session;
import io.cm.core.session.SessionIds;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.session.TerminationCodes;
import io.cm.core.store.Metered;
import io.cm.core.store.SessionStore;
import io.cm.core.store.SessionStore.Change;
import io.cm.core.store.Spend;
import io.cm.core.store.Touch;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The session use cases: start, heartbeat, stop, list, expire, and the operator's (look up a
 * subject, kill a session, end and forget a subject). Each reads the clock and the
 * {@link DecisionSettings} once, runs one pure decision on the subject's state through the
 * {@link SessionStore}, then emits the events of what was committed, once the store says it is kept.
 *
 * <p>Nothing here blocks: operations return stages, and run on the caller's thread as far as the
 * store lets them (an event loop, for a store in memory). A subject's transitions queue up behind
 * each other instead of taking a lock, so that its events reach the {@link EventLog} in the order its
 * transitions were committed (SPEC §5); other subjects never wait for it.
 */
public final class SessionService {

    /** How many due subjects one {@link #expireDue()} call handles at most. */
    private static final int EXPIRY_BATCH = 10_000;
    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);

    private final Supplier<DecisionSettings> settings;
    private final SessionStore store;
    private final SessionIds ids;
    private final SessionTimings timings;
    private final Clock clock;
    private final SessionEvents events;
    /** Per subject, the end of its last transition queued; removed when the subject's queue empties. */
    private final ConcurrentHashMap<SubjectKey, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    public SessionService(Supplier<DecisionSettings> settings, SessionStore store, SessionIds ids,
                          SessionTimings timings, Clock clock, EventLog eventLog) {
        this.settings = settings;
        this.store = store;
        this.ids = ids;
        this.timings = timings;
        this.clock = clock;
        this.events = new SessionEvents(eventLog);
    }

    /** Runs {@code transition} once every transition of {@code subject} queued before it has ended. */
    private <T> CompletionStage<T> inOrder(SubjectKey subject, Supplier<CompletionStage<T>> transition) {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        CompletableFuture<Void> before = Objects.requireNonNullElse(tails.put(subject, turn), IDLE);
        return before.thenCompose(ignored -> transition.get())
                .whenComplete((outcome, error) -> {
                    tails.remove(subject, turn);
                    turn.complete(null);
                });
    }

    /**
     * Runs {@code operation} in the subject's order with the request it takes from the session's
     * budget, or answers {@code unknown} at once for an id this service never issued to the caller.
     */
    private <T> CompletionStage<T> aboutSession(Application app, SubjectKey subject, String sessionId, T unknown,
                                                BiFunction<DecisionSettings, Spend, CompletionStage<T>> operation) {
        if (!ids.isIssued(app.id(), subject, sessionId)) return CompletableFuture.completedFuture(unknown);
        DecisionSettings current = settings.get();
        return inOrder(subject, () -> operation.apply(current,
                Spend.session(sessionId, current.requestLimits().sessionRequests(), clock.millis())));
    }

    public List<String> requiredMetadata(Application app) {
        return settings.get().catalog().requiredMetadata(app);
    }

    private record Start(StartOutcome outcome, List<Session> expired, List<Session> killed,
                         List<Dismissal> dismissed) {
    }

    /**
     * Starts a session, as if the sessions named by {@code terminate} had ended. If permitted,
     * those are killed in the same atomic step; if denied, nothing changes.
     */
    public CompletionStage<StartOutcome> start(Application app, SubjectKey subject, Map<String, String> metadata,
                                               Set<String> terminate) {
        DecisionSettings current = settings.get();
        Catalog catalog = current.catalog();
        List<String> missing = catalog.requiredMetadata(app).stream().filter(k -> !metadata.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new StartOutcome.MissingMetadata(missing, Evaluation.missingMetadata(missing)));
        }
        String id = ids.issue(app.id(), subject);
        return inOrder(subject, () -> {
            long now = clock.millis();
            return store.update(subject, Optional.of(Spend.init(current.requestLimits().inits(), now)),
                    state -> decideStart(catalog, app, id, now, metadata, terminate, state)
            ).thenApply(metered -> switch (metered) {
                case Metered.Throttled<Start> throttled -> new Throttled(throttled.acceptedFrom());
                case Metered.Done<Start> done -> started(catalog, app, subject, metadata, now, done.value());
            });
        });
    }

    private StartOutcome started(Catalog catalog, Application app, SubjectKey subject, Map<String, String> metadata,
                                 long now, Start start) {
        events.expired(catalog, subject, start.expired, now);
        switch (start.outcome) {
            case StartOutcome.Started started -> {
                events.killed(catalog, subject, start.killed, started.session().id(), now);
                events.dismissed(catalog, subject, start.dismissed, now);
                events.started(subject, app, started.session(), now);
            }
            case StartOutcome.Denied denied -> events.denied(subject, app, metadata, denied.evaluation(), now);
            case StartOutcome.MissingMetadata ignored -> throw new IllegalStateException("checked before deciding");
            case Throttled ignored -> throw new IllegalStateException("throttling is the store's");
        }
        return start.outcome;
    }

    private Change<Start> decideStart(Catalog catalog, Application app, String id, long now,
                                      Map<String, String> metadata, Set<String> terminate, SubjectSessions current) {
        SubjectSessions state = current.withoutExpired(now);
        List<Session> expired = current.expiredAt(now);
        List<Session> victims = new ArrayList<>();
        List<Session> others = new ArrayList<>();
        for (Session s : state.active()) {
            boolean named = terminate.contains(s.terminationCode()) && catalog.isVisible(app, s.applicationId());
            (named ? victims : others).add(s);
        }
        String code = TerminationCodes.newCode(state.active());
        Verdict verdict = new PolicyEvaluator(catalog).evaluateStart(app, new Candidate(id, code, now, metadata), others);
        if (!verdict.evaluation().permits()) {
            return new Change<>(state, new Start(new StartOutcome.Denied(verdict.evaluation()), expired, List.of(),
                    List.of()));
        }
        Map<String, String> sessionMetadata = MetadataKeys.SHARED.shared(metadata);
        if (!victims.isEmpty()) {
            sessionMetadata.put("superseded", String.join(",", victims.stream().map(Session::terminationCode).toList()));
        }
        Session session = new Session(id, code, app.id(), now, now, now + timings.lifetimeMillis(), sessionMetadata);
        long forgetAt = now + timings.endedRetention().toMillis();
        Set<String> ended = new HashSet<>();
        List<EndedSession> tombstones = new ArrayList<>(state.ended());
        Advice.RemoteTermination killAdvice = new Advice.RemoteTermination(id, Advice.RemoteTermination.REASON,
                new Advice.Terminator(app.name(), Optional.ofNullable(metadata.get("deviceName")),
                        Optional.ofNullable(metadata.get("channel")), now));
        for (Session victim : victims) {
            ended.add(victim.id());
            tombstones.add(new EndedSession(victim.id(), EndReason.KILLED, killAdvice, forgetAt));
        }
        for (Dismissal dismissal : verdict.dismissals()) {
            ended.add(dismissal.session().id());
            tombstones.add(new EndedSession(dismissal.session().id(), EndReason.DISMISSED, dismissal.advice(),
                    forgetAt));
        }
        List<Session> active = new ArrayList<>(state.active().size() + 1);
        for (Session s : state.active()) if (!ended.contains(s.id())) active.add(s);
        active.add(session);
        return new Change<>(new SubjectSessions(active, tombstones, evaluatedUnder(catalog, state)),
                new Start(new StartOutcome.Started(session, now, now + timings.heartbeatInterval().toMillis()),
                        expired, victims, verdict.dismissals()));
    }

    /**
     * The policy version a state keeps after a start under {@code catalog}: a start evaluates only the
     * new session, so the state counts as evaluated under the current policies only if it already was
     * (or had no sessions to evaluate).
     */
    private static long evaluatedUnder(Catalog catalog, SubjectSessions before) {
        return before.active().isEmpty() ? catalog.version() : before.policyVersion();
    }

    private record Beat(HeartbeatOutcome outcome, List<Session> expired, Optional<Session> denied,
                        List<Dismissal> dismissed) {
        Beat(HeartbeatOutcome outcome, List<Session> expired) {
            this(outcome, expired, Optional.empty(), List.of());
        }
    }

    /**
     * Records a heartbeat, merging {@code metadata} into the session's (immutable keys excepted). A
     * heartbeat without metadata under unchanged policies only moves the session's times
     * ({@link SessionStore#touch}); any other is decided in full.
     */
    public CompletionStage<HeartbeatOutcome> heartbeat(Application app, SubjectKey subject, String sessionId,
                                                       Map<String, String> metadata) {
        return aboutSession(app, subject, sessionId, new HeartbeatOutcome.Unknown(), (current, spend) -> {
            long now = spend.now();
            if (!metadata.isEmpty()) return fullHeartbeat(current.catalog(), app, subject, sessionId, metadata, spend);
            return store.touch(subject, sessionId, spend, now + timings.lifetimeMillis(), current.catalog().version())
                    .thenCompose(metered -> switch (metered) {
                        case Metered.Throttled<Touch> throttled ->
                                CompletableFuture.completedFuture(new Throttled(throttled.acceptedFrom()));
                        case Metered.Done<Touch>(Touch.Touched touched) -> {
                            events.heartbeat(subject, app, touched.session(), now);
                            yield CompletableFuture.completedFuture(alive(touched.session(), now));
                        }
                        case Metered.Done<Touch>(Touch.Undecided undecided) ->
                                fullHeartbeat(current.catalog(), app, subject, sessionId, metadata, spend);
                    });
        });
    }

    private HeartbeatOutcome.Alive alive(Session session, long now) {
        return new HeartbeatOutcome.Alive(session, now, now + timings.heartbeatInterval().toMillis());
    }

    private CompletionStage<HeartbeatOutcome> fullHeartbeat(Catalog catalog, Application app, SubjectKey subject,
                                                            String sessionId, Map<String, String> metadata,
                                                            Spend spend) {
        long now = spend.now();
        return store.update(subject, Optional.of(spend),
                state -> decideHeartbeat(catalog, app, sessionId, now, metadata, state)
        ).thenApply(metered -> switch (metered) {
            case Metered.Throttled<Beat> throttled -> new Throttled(throttled.acceptedFrom());
            case Metered.Done<Beat> done -> {
                Beat beat = done.value();
                events.expired(catalog, subject, beat.expired, now);
                events.dismissed(catalog, subject, beat.dismissed, now);
                if (beat.outcome instanceof HeartbeatOutcome.Alive alive) {
                    events.heartbeat(subject, app, alive.session(), now);
                }
                if (beat.outcome instanceof HeartbeatOutcome.Denied denied) {
                    beat.denied.ifPresent(s -> events.dismissedOnHeartbeat(subject, app, s, denied.evaluation(), now));
                }
                yield beat.outcome;
            }
        });
    }

    private Change<Beat> decideHeartbeat(Catalog catalog, Application app, String sessionId, long now,
                                         Map<String, String> metadata, SubjectSessions current) {
        SubjectSessions state = current.withoutExpired(now);
        List<Session> expired = current.expiredAt(now);
        Optional<Session> found = state.activeSession(sessionId);
        if (found.isEmpty()) return new Change<>(state, new Beat(endedOutcome(state, sessionId, true), expired));
        Session session = found.get();
        Optional<String> immutable = ImmutableMetadata.changedKey(session.metadata(), metadata);
        if (immutable.isPresent()) {
            return new Change<>(state, new Beat(new HeartbeatOutcome.ImmutableMetadata(immutable.get()), expired));
        }
        Map<String, String> merged = session.metadata();
        if (!metadata.isEmpty()) {
            merged = new HashMap<>(session.metadata());
            merged.putAll(MetadataKeys.SHARED.shared(metadata));
        }
        List<Session> others = state.active().stream().filter(s -> !s.id().equals(sessionId)).toList();
        Verdict verdict = new PolicyEvaluator(catalog).evaluateHeartbeat(app,
                new Candidate(sessionId, session.terminationCode(), session.startTime(), merged), session.metadata(),
                others);
        if (!verdict.evaluation().permits()) {
            return new Change<>(new SubjectSessions(others, state.ended(), state.policyVersion()),
                    new Beat(new HeartbeatOutcome.Denied(verdict.evaluation()), expired, Optional.of(session),
                            List.of()));
        }
        Session beaten = session.heartbeat(now, now + timings.lifetimeMillis(), merged);
        SubjectSessions next = dismiss(state.replacing(beaten), verdict.dismissals(), now);
        List<Session> rest = next.active().stream().filter(s -> !s.id().equals(sessionId)).toList();
        long version = next.policyVersion() == catalog.version() || othersPass(catalog, beaten, rest)
                ? catalog.version() : next.policyVersion();
        return new Change<>(new SubjectSessions(next.active(), next.ended(), version),
                new Beat(alive(beaten, now), expired, Optional.empty(), verdict.dismissals()));
    }

    /** {@code state} without the dismissed sessions, each remembered with its advice for its next call. */
    private SubjectSessions dismiss(SubjectSessions state, List<Dismissal> dismissals, long now) {
        if (dismissals.isEmpty()) return state;
        long forgetAt = now + timings.endedRetention().toMillis();
        Set<String> ended = new HashSet<>();
        List<EndedSession> tombstones = new ArrayList<>(state.ended());
        for (Dismissal dismissal : dismissals) {
            ended.add(dismissal.session().id());
            tombstones.add(new EndedSession(dismissal.session().id(), EndReason.DISMISSED, dismissal.advice(), forgetAt));
        }
        List<Session> active = state.active().stream().filter(s -> !ended.contains(s.id())).toList();
        return new SubjectSessions(active, tombstones, state.policyVersion());
    }

    /**
     * Whether every session in {@code others} would pass a heartbeat beside {@code beaten} and the
     * rest under {@code catalog}, ending and dismissing nothing: then the whole state is evaluated
     * under it, and later heartbeats without metadata may only move times. Sessions of applications
     * no longer configured have no policies to fail.
     */
    private static boolean othersPass(Catalog catalog, Session beaten, List<Session> others) {
        PolicyEvaluator evaluator = new PolicyEvaluator(catalog);
        for (Session s : others) {
            Optional<Application> owner = catalog.application(s.applicationId());
            if (owner.isEmpty()) continue;
            List<Session> rest = new ArrayList<>(others.size());
            rest.add(beaten);
            for (Session o : others) if (o != s) rest.add(o);
            Candidate candidate = new Candidate(s.id(), s.terminationCode(), s.startTime(), s.metadata());
            Verdict verdict = evaluator.evaluateHeartbeat(owner.get(), candidate, s.metadata(), rest);
            if (!verdict.evaluation().permits() || !verdict.dismissals().isEmpty()) return false;
        }
        return true;
    }

    /** For an id that is not active: why it ended, as far as this service remembers. */
    private static HeartbeatOutcome endedOutcome(SubjectSessions state, String sessionId, boolean dismissedDenies) {
        Optional<EndedSession> ended = state.endedSession(sessionId);
        if (ended.isEmpty()) return new HeartbeatOutcome.Gone();
        return switch (ended.get().advice()) {
            case Advice.RemoteTermination kill -> new HeartbeatOutcome.Killed(kill);
            case Advice.RuleViolation violation -> dismissedDenies
                    ? new HeartbeatOutcome.Denied(Evaluation.deny(List.of(violation)))
                    : new HeartbeatOutcome.Gone();
        };
    }

    private record Stop(StopOutcome outcome, List<Session> expired, Optional<Session> stopped) {
    }

    public CompletionStage<StopOutcome> stop(Application app, SubjectKey subject, String sessionId) {
        return aboutSession(app, subject, sessionId, new HeartbeatOutcome.Unknown(), (current, spend) -> {
            long now = spend.now();
            return store.update(subject, Optional.of(spend), state -> decideStop(sessionId, now, state))
                    .thenApply(metered -> switch (metered) {
                        case Metered.Throttled<Stop> throttled -> new Throttled(throttled.acceptedFrom());
                        case Metered.Done<Stop> done -> {
                            Stop stop = done.value();
                            events.expired(current.catalog(), subject, stop.expired, now);
                            stop.stopped.ifPresent(s -> events.stopped(subject, app, s, now));
                            yield stop.outcome;
                        }
                    });
        });
    }

    private static Change<Stop> decideStop(String sessionId, long now, SubjectSessions current) {
        SubjectSessions state = current.withoutExpired(now);
        List<Session> expired = current.expiredAt(now);
        Optional<Session> found = state.activeSession(sessionId);
        if (found.isEmpty()) {
            StopOutcome ended = (StopOutcome) endedOutcome(state, sessionId, false);
            return new Change<>(state, new Stop(ended, expired, Optional.empty()));
        }
        List<Session> active = state.active().stream().filter(s -> !s.id().equals(sessionId)).toList();
        return new Change<>(new SubjectSessions(active, state.ended(), state.policyVersion()),
                new Stop(new StopOutcome.Stopped(), expired, found));
    }

    /** The subject's active sessions the caller may see; nothing is changed. */
    public CompletionStage<RunningStreams> runningStreams(Application app, SubjectKey subject) {
        Catalog catalog = settings.get().catalog();
        return store.read(subject).thenApply(state -> {
            long now = clock.millis();
            List<Session> visible = new ArrayList<>();
            int others = 0;
            Optional<Long> expires = Optional.empty();
            for (Session s : state.active()) {
                if (!s.isActiveAt(now)) continue;
                if (catalog.isVisible(app, s.applicationId())) {
                    visible.add(s);
                    expires = Optional.of(Math.min(expires.orElse(Long.MAX_VALUE), s.expiresAt()));
                } else {
                    others++;
                }
            }
            return new RunningStreams(visible, others, expires);
        });
    }

    /** Every active session of the subject, whatever application started it (operators, SPEC §9). */
    public CompletionStage<List<Session>> sessionsOf(SubjectKey subject) {
        return store.read(subject).thenApply(state -> state.withoutExpired(clock.millis()).active());
    }

    private record Kill(KillOutcome outcome, List<Session> expired) {
    }

    /**
     * An operator ends one session: its next heartbeat or stop gets 410 with a remote-termination
     * advice ({@code terminatedBy} {@code operator}), as after an X-Terminate.
     */
    public CompletionStage<KillOutcome> kill(SubjectKey subject, String sessionId) {
        return inOrder(subject, () -> {
            Catalog catalog = settings.get().catalog();
            long now = clock.millis();
            return store.update(subject, Optional.empty(), current -> {
                SubjectSessions state = current.withoutExpired(now);
                List<Session> expired = current.expiredAt(now);
                Optional<Session> found = state.activeSession(sessionId);
                if (found.isEmpty()) return new Change<>(state, new Kill(new KillOutcome.NotActive(), expired));
                EndedSession tombstone = new EndedSession(sessionId, EndReason.KILLED,
                        Advice.RemoteTermination.byOperator(now), now + timings.endedRetention().toMillis());
                List<EndedSession> ended = new ArrayList<>(state.ended());
                ended.add(tombstone);
                List<Session> active = state.active().stream().filter(s -> !s.id().equals(sessionId)).toList();
                return new Change<>(new SubjectSessions(active, ended, state.policyVersion()),
                        new Kill(new KillOutcome.Killed(found.get()), expired));
            }).thenApply(metered -> {
                Kill kill = unmetered(metered);
                events.expired(catalog, subject, kill.expired, now);
                if (kill.outcome instanceof KillOutcome.Killed killed) {
                    events.killed(catalog, subject, List.of(killed.session()), Advice.RemoteTermination.OPERATOR, now);
                }
                return kill.outcome;
            });
        });
    }

    /**
     * An operator ends every session of the subject and forgets it: nothing of it stays stored, so
     * the ended sessions' next calls get a bodiless 410. Completes with the sessions it ended.
     */
    public CompletionStage<List<Session>> endSubject(SubjectKey subject) {
        return inOrder(subject, () -> {
            Catalog catalog = settings.get().catalog();
            long now = clock.millis();
            return store.update(subject, Optional.empty(), current -> new Change<>(SubjectSessions.EMPTY, current))
                    .thenApply(metered -> {
                        SubjectSessions before = unmetered(metered);
                        List<Session> running = before.withoutExpired(now).active();
                        events.expired(catalog, subject, before.expiredAt(now), now);
                        events.killed(catalog, subject, running, Advice.RemoteTermination.OPERATOR, now);
                        return running;
                    });
        });
    }

    /**
     * Ends the sessions past their expiry and forgets old tombstones; completes with how many
     * sessions expired. One batch of due subjects per call.
     */
    public CompletionStage<Integer> expireDue() {
        long now = clock.millis();
        Catalog catalog = settings.get().catalog();
        return store.takeDue(now, EXPIRY_BATCH).thenCompose(due -> {
            List<CompletableFuture<Integer>> expiries = new ArrayList<>(due.size());
            for (SubjectKey subject : due) {
                expiries.add(inOrder(subject, () -> store.update(subject, Optional.empty(),
                        current -> new Change<>(current.withoutExpired(now), current.expiredAt(now)))
                        .thenApply(metered -> {
                            List<Session> expired = unmetered(metered);
                            events.expired(catalog, subject, expired, now);
                            return expired.size();
                        })).toCompletableFuture());
            }
            return CompletableFuture.allOf(expiries.toArray(CompletableFuture[]::new))
                    .thenApply(all -> expiries.stream().mapToInt(CompletableFuture::join).sum());
        });
    }

    /** The value of an update that took nothing from a budget, so could not be throttled. */
    private static <R> R unmetered(Metered<R> metered) {
        return switch (metered) {
            case Metered.Done<R> done -> done.value();
            case Metered.Throttled<R> throttled -> throw new IllegalStateException("nothing was metered");
        };
    }

    public long activeSessions() {
        return store.activeSessions();
    }
}
