package io.cm.core.store;

import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where an {@link InMemorySessionStore} hands each commit so that it outlives the process (the
 * embedded journal). Called inside the subject's atomic step, so one subject's commits arrive in
 * the order they were made; it must only enqueue, never wait.
 */
@FunctionalInterface
public interface CommitLog {

    /** Keeps nothing: a store whose sessions live only as long as the process. */
    CommitLog NONE = (subject, previous, next) -> CompletableFuture.completedFuture(null);

    /**
     * Records that {@code subject} went from {@code previous} to {@code next}. The stage completes
     * once the change is as durable as the log promises; the store's caller answers only then.
     */
    CompletionStage<Void> append(SubjectKey subject, SubjectSessions previous, SubjectSessions next);
}
