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
import io.cm.core.session.Session;
import io.cm.core.session.SessionIds;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.session.TerminationCodes;
import io.cm.core.store.SessionStore;
import io.cm.core.store.SessionStore.Change;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The session use cases: start, heartbeat, stop, list, expire. Each reads the clock once, runs one
 * pure decision on the subject's state through the {@link SessionStore}, then emits the events of
 * what was committed. The commit and its events happen under one per-subject (striped) lock, so
 * that a subject's events reach the {@link EventLog} in the order its transitions were committed.
 */
public final class SessionService {

    /** How many due subjects one {@link #expireDue()} call handles at most. */
    private static final int EXPIRY_BATCH = 10_000;

    /** Locks that keep each subject's events in commit order; subjects share a stripe by hash. */
    private static final int ORDER_STRIPES = 1024;

    private final Catalog catalog;
    private final PolicyEvaluator evaluator;
    private final SessionStore store;
    private final SessionIds ids;
    private final SessionTimings timings;
    private final Clock clock;
    private final SessionEvents events;
    private final ReentrantLock[] order = new ReentrantLock[ORDER_STRIPES];

    public SessionService(Catalog catalog, SessionStore store, SessionIds ids, SessionTimings timings, Clock clock,
                          EventLog eventLog) {
        this.catalog = catalog;
        this.evaluator = new PolicyEvaluator(catalog);
        this.store = store;
        this.ids = ids;
        this.timings = timings;
        this.clock = clock;
        this.events = new SessionEvents(catalog, eventLog);
        for (int i = 0; i < ORDER_STRIPES; i++) order[i] = new ReentrantLock();
    }

    /**
     * Runs a commit and the appending of its events for {@code subject} so that no other transition of
     * the subject can commit and append in between (spec: events are ordered per subject).
     */
    private <T> T inOrder(SubjectKey subject, Supplier<T> commitAndEmit) {
        ReentrantLock lock = order[Math.floorMod(subject.hashCode(), ORDER_STRIPES)];
        lock.lock();
        try {
            return commitAndEmit.get();
        } finally {
            lock.unlock();
        }
    }

    public List<String> requiredMetadata(Application app) {
        return catalog.requiredMetadata(app);
    }

    /** Whether {@code sessionId} was issued by this service to {@code app} for {@code subject}. */
    public boolean recognizes(Application app, SubjectKey subject, String sessionId) {
        return ids.isIssued(app.id(), subject, sessionId);
    }

    private record Start(StartOutcome outcome, List<Session> expired, List<Session> killed,
                         List<Dismissal> dismissed) {
    }

    /**
     * Starts a session, as if the sessions named by {@code terminate} had ended. If permitted,
     * those are killed in the same atomic step; if denied, nothing changes.
     */
    public StartOutcome start(Application app, SubjectKey subject, Map<String, String> metadata,
                              Set<String> terminate) {
        List<String> missing = catalog.requiredMetadata(app).stream().filter(k -> !metadata.containsKey(k)).toList();
        if (!missing.isEmpty()) return new StartOutcome.MissingMetadata(missing, Evaluation.missingMetadata(missing));
        String id = ids.issue(app.id(), subject);
        return inOrder(subject, () -> {
            long now = clock.millis();
            Start start = store.update(subject, current -> decideStart(app, id, now, metadata, terminate, current));
            events.expired(subject, start.expired, now);
            switch (start.outcome) {
                case StartOutcome.Started started -> {
                    events.killed(subject, start.killed, started.session(), now);
                    events.dismissed(subject, start.dismissed, now);
                    events.started(subject, app, started.session(), now);
                }
                case StartOutcome.Denied denied -> events.denied(subject, app, metadata, denied.evaluation(), now);
                case StartOutcome.MissingMetadata ignored -> throw new IllegalStateException("checked before deciding");
            }
            return start.outcome;
        });
    }

    private Change<Start> decideStart(Application app, String id, long now, Map<String, String> metadata,
                                      Set<String> terminate, SubjectSessions current) {
        SubjectSessions state = current.withoutExpired(now);
        List<Session> expired = current.expiredAt(now);
        List<Session> victims = new ArrayList<>();
        List<Session> others = new ArrayList<>();
        for (Session s : state.active()) {
            boolean named = terminate.contains(s.terminationCode()) && catalog.isVisible(app, s.applicationId());
            (named ? victims : others).add(s);
        }
        String code = TerminationCodes.newCode(state.active());
        Verdict verdict = evaluator.evaluateStart(app, new Candidate(id, code, now, metadata), others);
        if (!verdict.evaluation().permits()) {
            return new Change<>(state, new Start(new StartOutcome.Denied(verdict.evaluation()), expired, List.of(),
                    List.of()));
        }
        Map<String, String> sessionMetadata = metadata;
        if (!victims.isEmpty()) {
            sessionMetadata = new HashMap<>(metadata);
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
        return new Change<>(new SubjectSessions(active, tombstones),
                new Start(new StartOutcome.Started(session, now, now + timings.heartbeatInterval().toMillis()),
                        expired, victims, verdict.dismissals()));
    }

    private record Beat(HeartbeatOutcome outcome, List<Session> expired, Optional<Session> denied) {
    }

    /** Records a heartbeat, merging {@code metadata} into the session's (immutable keys excepted). */
    public HeartbeatOutcome heartbeat(Application app, SubjectKey subject, String sessionId,
                                      Map<String, String> metadata) {
        if (!ids.isIssued(app.id(), subject, sessionId)) return new HeartbeatOutcome.Unknown();
        return inOrder(subject, () -> {
            long now = clock.millis();
            Beat beat = store.update(subject, current -> decideHeartbeat(app, sessionId, now, metadata, current));
            events.expired(subject, beat.expired, now);
            if (beat.outcome instanceof HeartbeatOutcome.Alive alive) {
                events.heartbeat(subject, app, alive.session(), now);
            }
            beat.denied.ifPresent(s -> events.dismissedOnHeartbeat(subject, app, s, now));
            return beat.outcome;
        });
    }

    private Change<Beat> decideHeartbeat(Application app, String sessionId, long now, Map<String, String> metadata,
                                         SubjectSessions current) {
        SubjectSessions state = current.withoutExpired(now);
        List<Session> expired = current.expiredAt(now);
        Optional<Session> found = state.activeSession(sessionId);
        if (found.isEmpty()) {
            return new Change<>(state, new Beat(endedOutcome(state, sessionId, true), expired, Optional.empty()));
        }
        Session session = found.get();
        Optional<String> immutable = ImmutableMetadata.changedKey(session.metadata(), metadata);
        if (immutable.isPresent()) {
            return new Change<>(state, new Beat(new HeartbeatOutcome.ImmutableMetadata(immutable.get()), expired,
                    Optional.empty()));
        }
        Map<String, String> merged = session.metadata();
        if (!metadata.isEmpty()) {
            merged = new HashMap<>(session.metadata());
            merged.putAll(metadata);
        }
        List<Session> others = state.active().stream().filter(s -> !s.id().equals(sessionId)).toList();
        Evaluation evaluation = evaluator.evaluateHeartbeat(app,
                new Candidate(sessionId, session.terminationCode(), session.startTime(), merged), others);
        if (!evaluation.permits()) {
            return new Change<>(new SubjectSessions(others, state.ended()),
                    new Beat(new HeartbeatOutcome.Denied(evaluation), expired, Optional.of(session)));
        }
        Session beaten = session.heartbeat(now, now + timings.lifetimeMillis(), merged);
        List<Session> active = new ArrayList<>(state.active());
        active.set(active.indexOf(session), beaten);
        return new Change<>(new SubjectSessions(active, state.ended()),
                new Beat(new HeartbeatOutcome.Alive(beaten, now, now + timings.heartbeatInterval().toMillis()),
                        expired, Optional.empty()));
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

    public StopOutcome stop(Application app, SubjectKey subject, String sessionId) {
        if (!ids.isIssued(app.id(), subject, sessionId)) return new HeartbeatOutcome.Unknown();
        return inOrder(subject, () -> stop(app, subject, sessionId, clock.millis()));
    }

    private StopOutcome stop(Application app, SubjectKey subject, String sessionId, long now) {
        Stop stop = store.update(subject, current -> {
            SubjectSessions state = current.withoutExpired(now);
            List<Session> expired = current.expiredAt(now);
            Optional<Session> found = state.activeSession(sessionId);
            if (found.isEmpty()) {
                StopOutcome ended = (StopOutcome) endedOutcome(state, sessionId, false);
                return new Change<>(state, new Stop(ended, expired, Optional.empty()));
            }
            List<Session> active = state.active().stream().filter(s -> !s.id().equals(sessionId)).toList();
            return new Change<>(new SubjectSessions(active, state.ended()),
                    new Stop(new StopOutcome.Stopped(), expired, found));
        });
        events.expired(subject, stop.expired, now);
        stop.stopped.ifPresent(s -> events.stopped(subject, app, s, now));
        return stop.outcome;
    }

    /** The subject's active sessions the caller may see; nothing is changed. */
    public RunningStreams runningStreams(Application app, SubjectKey subject) {
        long now = clock.millis();
        List<Session> visible = new ArrayList<>();
        int others = 0;
        Optional<Long> expires = Optional.empty();
        for (Session s : store.read(subject).active()) {
            if (!s.isActiveAt(now)) continue;
            if (catalog.isVisible(app, s.applicationId())) {
                visible.add(s);
                expires = Optional.of(Math.min(expires.orElse(Long.MAX_VALUE), s.expiresAt()));
            } else {
                others++;
            }
        }
        return new RunningStreams(visible, others, expires);
    }

    /** Ends the sessions past their expiry and forgets old tombstones; returns how many sessions expired. */
    public int expireDue() {
        long now = clock.millis();
        int count = 0;
        for (SubjectKey subject : store.takeDue(now, EXPIRY_BATCH)) {
            count += inOrder(subject, () -> {
                List<Session> expired = store.update(subject,
                        current -> new Change<>(current.withoutExpired(now), current.expiredAt(now)));
                events.expired(subject, expired, now);
                return expired.size();
            });
        }
        return count;
    }

    public long activeSessions() {
        return store.activeSessions();
    }
}
