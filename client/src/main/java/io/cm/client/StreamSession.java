package io.cm.client;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A running stream the service permitted. It heartbeats itself on the service's schedule: each answer's
 * {@code Expires} − {@code Date} (both by the service's clock, so clock skew does not matter) is the
 * lease, and the next heartbeat goes out a margin before it ends (a tenth of the lease, at most 5 s).
 * Failed heartbeats are retried as the client's heartbeat {@link RetryPolicy} says (by default for about
 * half a minute, which the service's grace period covers). How the session ends, when the app did not
 * {@link #stop()} it, goes to its {@link SessionListener}, on the client's callback executor.
 *
 * <p>Thread-safe. No lock is held during a request, so {@link #update}, {@link #stop} and a scheduled
 * heartbeat may overlap; once the session has ended, answers that arrive late change nothing.
 */
public final class StreamSession {

    private static final System.Logger LOG = System.getLogger(StreamSession.class.getName());
    private static final Duration MAX_MARGIN = Duration.ofSeconds(5);
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Consumer<SessionListener> STOPPED_BY_APP = listener -> { };

    private final ConcurrencyClient client;
    private final SessionKey key;
    private Map<String, String> metadata;
    private Instant expiresAt;
    /** The next scheduled heartbeat. */
    private Future<?> next;
    /** The heartbeat being sent or retried, if any. */
    private Call beat;
    private SessionListener listener;
    /** How the session ended, told to a listener set later too; null while it runs. */
    private Consumer<SessionListener> ending;

    private StreamSession(ConcurrencyClient client, SessionKey key, Map<String, String> metadata) {
        this.client = client;
        this.key = key;
        this.metadata = metadata;
    }

    /** A session the service has just started with {@code lease}; its first heartbeat is scheduled. */
    static StreamSession begin(ConcurrencyClient client, SessionKey key, Map<String, String> metadata, Duration lease) {
        StreamSession session = new StreamSession(client, key, metadata);
        synchronized (session) {
            session.renew(lease);
        }
        return session;
    }

    /**
     * The session id the service issued.
     *
     * @return the id
     */
    public String id() {
        return key.sessionId();
    }

    /**
     * The subscriber's identity provider.
     *
     * @return the idp the session was started for
     */
    public String idp() {
        return key.idp();
    }

    /**
     * The subscriber's account.
     *
     * @return the subject the session was started for
     */
    public String subject() {
        return key.subject();
    }

    /**
     * The metadata the session was started with, plus what {@link #update} sent since.
     *
     * @return the metadata, unmodifiable
     */
    public synchronized Map<String, String> metadata() {
        return metadata;
    }

    /**
     * When the service's current lease ends, on this client's clock: the service's {@code Expires}
     * translated by the interval it granted, not compared with the local clock. The service keeps the
     * session a grace period longer.
     *
     * @return the end of the current lease
     */
    public synchronized Instant expiresAt() {
        return expiresAt;
    }

    /**
     * Whether the session still runs.
     *
     * @return true until the session ends: stopped, dismissed, terminated, expired or failed
     */
    public synchronized boolean isActive() {
        return ending == null;
    }

    /**
     * Sets who is told how the session ends; told at once (on the callback executor) if it already has.
     *
     * @param listener the listener, which replaces any earlier one
     */
    public void setListener(SessionListener listener) {
        Consumer<SessionListener> ended;
        synchronized (this) {
            this.listener = listener;
            ended = ending;
        }
        if (ended != null) tell(listener, ended);
    }

    /**
     * Sends metadata changes now (a heartbeat with a body): new keys, or new values of mutable keys.
     * Renews the lease like any heartbeat.
     *
     * @param changes the keys to add or change
     * @throws ConcurrencyConflict  if the service ended the session instead (the listener is told too)
     * @throws ConcurrencyException if the session has ended, a key may not change ({@code METADATA_IMMUTABLE};
     *                              the session goes on), or the service could not be reached
     */
    public void update(Map<String, String> changes) throws ConcurrencyException {
        Map<String, String> sent = new LinkedHashMap<>(changes);
        synchronized (this) {
            if (ending != null) {
                throw new ConcurrencyException("Session " + id() + " has ended", OptionalInt.empty(), Optional.empty(),
                        null);
            }
        }
        Waits.result(client.api().heartbeat(key, sent, client.api().calls()).send(response -> {
            answered(response, sent);
            return null;
        }));
    }

    /**
     * Ends the session: no more heartbeats, then {@code DELETE} on the service, which frees its slot at
     * once. Stopping a session that has already ended does nothing. The listener is not called.
     *
     * @throws ConcurrencyException if the service could not be told; it then expires the session by itself
     */
    public void stop() throws ConcurrencyException {
        Waits.result(stopCall());
    }

    /**
     * {@link #stop()} without waiting: the heartbeats end at once, the {@code DELETE} goes out in the
     * background.
     *
     * @return done once the service has the stop; fails with the {@link ConcurrencyException} the blocking
     *         form throws
     */
    public CompletableFuture<Void> stopAsync() {
        return client.toCaller(stopCall());
    }

    private CompletableFuture<Void> stopCall() {
        if (!end(STOPPED_BY_APP)) return CompletableFuture.completedFuture(null);
        return client.api().stop(key).send(response -> {
            // 410: it had already ended on the service (expired, killed), which is all a stop asks for.
            if (response.statusCode() / 100 != 2 && response.statusCode() != 410) throw ResponseBodies.error(response);
            return null;
        });
    }

    private void heartbeat() {
        Call call;
        synchronized (this) {
            if (ending != null || client.isClosed()) return;
            call = client.api().heartbeat(key, Map.of(), client.heartbeatPolicy());
            beat = call;
        }
        call.send().whenComplete((response, error) -> {
            if (error instanceof CancellationException) return; // superseded by an update, or the session ended
            if (error != null) {
                ConcurrencyException failure = asConcurrency(error);
                end(l -> l.failed(failure));
                return;
            }
            try {
                answered(response, Map.of());
            } catch (ConcurrencyException e) {
                end(l -> l.failed(e)); // no-op when the answer already ended the session
            }
        });
    }

    private static ConcurrencyException asConcurrency(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ConcurrencyException concurrency) return concurrency;
        return new ConcurrencyException("Heartbeat failed: " + cause, OptionalInt.empty(), Optional.empty(), cause);
    }

    /** A heartbeat's answer: renew the lease, or end the session and throw what the caller of update() gets. */
    private void answered(HttpResponse<String> response, Map<String, String> sent) throws ConcurrencyException {
        int status = response.statusCode();
        if (status == 409 || status == 410) throw ended(response);
        if (status / 100 != 2) throw ResponseBodies.error(response);
        Duration lease = ConcurrencyClient.lease(response);
        synchronized (this) {
            if (ending != null) return;
            Map<String, String> merged = new LinkedHashMap<>(metadata);
            merged.putAll(sent);
            metadata = Collections.unmodifiableMap(merged);
            renew(lease);
        }
    }

    private ConcurrencyException ended(HttpResponse<String> response) {
        try {
            if (response.statusCode() == 409) {
                ConcurrencyConflict conflict = client.conflict(response, restart());
                end(l -> l.dismissed(conflict));
                return conflict;
            }
            Optional<Terminator> terminator = ResponseBodies.terminator(response);
            if (terminator.isPresent()) {
                end(l -> l.terminatedRemotely(terminator.get()));
                return gone("was terminated by session " + terminator.get().terminatedBy());
            }
            end(SessionListener::expired);
            return gone("has expired");
        } catch (MalformedResponseException e) {
            end(l -> l.failed(e));
            return e;
        }
    }

    private ConcurrencyException gone(String what) {
        return new ConcurrencyException("Session " + id() + " " + what, OptionalInt.of(410), Optional.empty(), null);
    }

    /** The same start again, for a dismissed session's {@link ConcurrencyConflict#retryTerminating}. */
    private synchronized StartRequest restart() {
        return new StartRequest(key.idp(), key.subject(), metadata, List.of());
    }

    /** Called with the lock held: the lease is renewed, the next heartbeat is due a margin before it ends. */
    private void renew(Duration lease) {
        expiresAt = client.clock().instant().plus(lease);
        Duration margin = lease.dividedBy(10).compareTo(MAX_MARGIN) > 0 ? MAX_MARGIN : lease.dividedBy(10);
        Duration interval = lease.minus(margin);
        stopHeartbeats();
        try {
            next = client.scheduler().schedule(interval.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : interval,
                    this::heartbeat);
        } catch (RejectedExecutionException closed) {
            LOG.log(System.Logger.Level.DEBUG, "Client closed: no more heartbeats for session {0}", id());
        }
    }

    /** Called with the lock held: no heartbeat pending, none being retried. */
    private void stopHeartbeats() {
        if (next != null) next.cancel(false);
        if (beat != null) beat.abandon();
    }

    /** Ends the session the first time only; returns whether this call did. */
    private boolean end(Consumer<SessionListener> how) {
        SessionListener told;
        synchronized (this) {
            if (ending != null) return false;
            ending = how;
            stopHeartbeats();
            told = listener;
        }
        if (told != null) tell(told, how);
        return true;
    }

    /** Tells {@code listener} on the callback executor; its own failure is logged, never thrown. */
    private void tell(SessionListener listener, Consumer<SessionListener> how) {
        try {
            client.callbacks().execute(() -> {
                try {
                    how.accept(listener);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "Listener of session " + id() + " failed", e);
                }
            });
        } catch (RejectedExecutionException closed) {
            LOG.log(System.Logger.Level.DEBUG, "Client closed: the listener of session {0} is not told", id());
        }
    }
}
