package io.cm.core.store;

import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;

import java.util.List;
import java.util.function.Function;

/**
 * Port to where subjects' sessions live. Every decision is a pure function of one subject's state,
 * applied atomically per subject: an in-process store runs it under the subject's lock; a shared
 * store may run it again when an optimistic commit loses a race, so it must have no side effects.
 */
public interface SessionStore {

    /** The new state of a subject and what the decision tells its caller. */
    record Change<R>(SubjectSessions next, R result) {
    }

    <R> R update(SubjectKey subject, Function<SubjectSessions, Change<R>> decision);

    SubjectSessions read(SubjectKey subject);

    /**
     * Subjects with a session or tombstone due at or before {@code now} (at most {@code max}); each
     * is handed out once per deadline, and the next {@link #update} of it schedules the next one.
     * Costs O(subjects due), never a scan of all subjects.
     */
    List<SubjectKey> takeDue(long now, int max);

    /** Active sessions stored, for metrics. */
    long activeSessions();
}
