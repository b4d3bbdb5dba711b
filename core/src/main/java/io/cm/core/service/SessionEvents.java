package io.cm.core.service;

import io.cm.core.evaluation.Dismissal;
import io.cm.core.evaluation.Evaluation;
import io.cm.core.event.EventLog;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Turns committed transitions into {@link SessionEvent}s on the {@link EventLog}. */
final class SessionEvents {

    private final EventLog log;

    SessionEvents(EventLog log) {
        this.log = log;
    }

    void started(SubjectKey subject, Application app, Session session, long now) {
        log.append(of(SessionEventType.STARTED, subject, app, session, now, Optional.empty(), Optional.empty()));
    }

    void heartbeat(SubjectKey subject, Application app, Session session, long now) {
        log.append(of(SessionEventType.HEARTBEAT, subject, app, session, now, Optional.empty(), Optional.empty()));
    }

    void stopped(SubjectKey subject, Application app, Session session, long now) {
        log.append(of(SessionEventType.STOPPED, subject, app, session, now, Optional.empty(), Optional.empty()));
    }

    void denied(SubjectKey subject, Application app, Map<String, String> metadata, Evaluation evaluation, long now) {
        log.append(new SessionEvent(hitId(), now, SessionEventType.DENIED, app.tenant(), app.id(), app.name(),
                subject.idp(), subject.subject(), Optional.empty(), Optional.empty(), metadata,
                Optional.of(evaluation), Optional.empty()));
    }

    void dismissedOnHeartbeat(SubjectKey subject, Application app, Session session, Evaluation evaluation, long now) {
        log.append(of(SessionEventType.DISMISSED, subject, app, session, now, Optional.of(evaluation), Optional.empty()));
    }

    void expired(Catalog catalog, SubjectKey subject, List<Session> sessions, long now) {
        for (Session s : sessions) {
            log.append(of(SessionEventType.EXPIRED, subject, owner(catalog, s), s, now, Optional.empty(), Optional.empty()));
        }
    }

    /** {@code terminatedBy}: the id of the session whose X-Terminate named them, or {@code operator}. */
    void killed(Catalog catalog, SubjectKey subject, List<Session> victims, String terminatedBy, long now) {
        for (Session s : victims) {
            log.append(of(SessionEventType.KILLED, subject, owner(catalog, s), s, now, Optional.empty(),
                    Optional.of(terminatedBy)));
        }
    }

    void dismissed(Catalog catalog, SubjectKey subject, List<Dismissal> dismissals, long now) {
        for (Dismissal d : dismissals) {
            log.append(of(SessionEventType.DISMISSED, subject, owner(catalog, d.session()), d.session(), now,
                    Optional.of(Evaluation.deny(List.of(d.advice()))), Optional.empty()));
        }
    }

    /** The application that started {@code s}; one removed from the configuration is reported by id. */
    private static Application owner(Catalog catalog, Session s) {
        return catalog.application(s.applicationId()).orElseGet(() -> new Application(s.applicationId(), "unknown",
                s.applicationId(), Optional.empty(), List.of(), Optional.empty()));
    }

    private static SessionEvent of(SessionEventType type, SubjectKey subject, Application app, Session s, long now,
                                   Optional<Evaluation> evaluation, Optional<String> terminatedBy) {
        return new SessionEvent(hitId(), now, type, app.tenant(), app.id(), app.name(), subject.idp(),
                subject.subject(), Optional.of(s.id()), Optional.of(s.terminationCode()), s.metadata(), evaluation,
                terminatedBy);
    }

    private static String hitId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }
}
