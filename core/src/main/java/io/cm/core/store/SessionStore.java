package io.cm.core.store;

import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Port to where subjects' sessions live. Every decision is a pure function of one subject's state,
 * applied atomically per subject: an in-process store runs it in the subject's atomic step; a shared
 * store may run it again when an optimistic commit loses a race, so it must have no side effects.
 *
 * <p>Every operation returns at once with a stage; none waits on I/O on the calling thread (an
 * event loop). A stage completes, on a thread of the store's choosing, once the outcome is as
 * durable as the store promises, or fails with {@link StoreUnavailableException} when the store
 * cannot answer now.
 */
public interface SessionStore {

    /** The new state of a subject and what the decision tells its caller. */
    record Change<R>(SubjectSessions next, R result) {
    }

    /**
     * Takes one request from the budget {@code spend} names (if any), then runs {@code decision} on the
     * subject's current state and commits its next state, all in one atomic step per subject.
     */
    <R> CompletionStage<Metered<R>> update(SubjectKey subject, Optional<Spend> spend,
                                           Function<SubjectSessions, Change<R>> decision);

    /**
     * The heartbeat that changes no metadata: if {@code sessionId} is active at {@code spend.now()} and
     * the subject's state was last evaluated under {@code policyVersion}, takes one request from the
     * session's budget and moves its last heartbeat to now and its expiry to {@code expiresAt}. Under
     * unchanged policies and metadata a heartbeat evaluation cannot deny, so this is the whole
     * heartbeat; a shared store does it in one round trip without reading or writing the subject's
     * other sessions.
     */
    CompletionStage<Metered<Touch>> touch(SubjectKey subject, String sessionId, Spend spend, long expiresAt,
                                          long policyVersion);

    CompletionStage<SubjectSessions> read(SubjectKey subject);

    /**
     * Subjects with a session or tombstone due at or before {@code now} (at most {@code max}); each
     * is handed out once per deadline, and the next {@link #update} of it schedules the next one.
     * Costs O(subjects due), never a scan of all subjects.
     */
    CompletionStage<List<SubjectKey>> takeDue(long now, int max);

    /** Active sessions stored, for metrics. */
    long activeSessions();
}
