package io.cm.client;

/**
 * How a {@link StreamSession} learns that it ended without the app stopping it. Exactly one method is
 * called, once, on the client's callback executor (see {@link ConcurrencyClient.Builder#callbackExecutor}),
 * also when it is set after the session ended; the session sends no more heartbeats afterwards. Every method is abstract on
 * purpose: a player must decide what each ending means for its user.
 */
public interface SessionListener {

    /**
     * The service ended the session at its heartbeat with a 409: a newer session took its place
     * (FIFO, see {@link RuleViolation#dismissedBy()}) or a changed policy no longer allows it.
     * {@link ConcurrencyConflict#retryTerminating} starts it again with the same metadata.
     *
     * @param conflict the service's evaluation: the rules, and the session that took this one's place
     */
    void dismissed(ConcurrencyConflict conflict);

    /**
     * Another session was started with this one's termination code ({@code X-Terminate}): 410 with advice.
     *
     * @param terminator the session started in this one's place, as the user may be shown it
     */
    void terminatedRemotely(Terminator terminator);

    /** The service let the session expire (410 without body), e.g. after heartbeats could not get through. */
    void expired();

    /**
     * Heartbeats failed for good: no answer within the retries, or an answer this client cannot read.
     * The service will expire the session unless the app starts a new one.
     *
     * @param error the last failure
     */
    void failed(ConcurrencyException error);
}
