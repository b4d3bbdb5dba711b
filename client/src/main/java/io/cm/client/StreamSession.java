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
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A running stream the service permitted. It heartbeats itself on the service's schedule: each answer's
 * {@code Expires} − {@code Date} (both by the service's clock, so clock skew does not matter) is the
 * lease, and the next heartbeat goes out a margin before it ends (a tenth of the lease, at most 5 s).
 * Failed heartbeats are retried with back-off for about half a minute, which the service's grace
 * period covers. How the session ends, when the app did not {@link #stop()} it, goes to its
 * {@link SessionListener}.
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
    private Future<?> next;
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

    /** The session id the service issued. */
    public String id() {
        return key.sessionId();
    }

    /** The subscriber's identity provider. */
    public String idp() {
        return key.idp();
    }

    /** The subscriber's account. */
    public String subject() {
        return key.subject();
    }

    /** The metadata the session was started with, plus what {@link #update} sent since. */
    public synchronized Map<String, String> metadata() {
        return metadata;
    }

    /**
     * When the service's current lease ends, on this client's clock: the service's {@code Expires}
     * translated by the interval it granted, not compared with the local clock. The service keeps the
     * session a grace period longer.
     */
    public synchronized Instant expiresAt() {
        return expiresAt;
    }

    /** True until the session ends: stopped, dismissed, terminated, expired or failed. */
    public synchronized boolean isActive() {
        return ending == null;
    }

    /** Sets who is told how the session ends; told at once if it already has. */
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
     * @throws ConcurrencyConflict  if the service ended the session instead (the listener is told too)
     * @throws ConcurrencyException if the session has ended, a key may not change ({@code METADATA_IMMUTABLE};
     *                              the session goes on), or the service could not be reached
     */
    public void update(Map<String, String> changes) throws ConcurrencyConflict, ConcurrencyException {
        Map<String, String> sent = new LinkedHashMap<>(changes);
        synchronized (this) {
            if (ending != null) {
                throw new ConcurrencyException("Session " + id() + " has ended", OptionalInt.empty(), Optional.empty(),
                        null);
            }
        }
        answered(client.api().heartbeat(key, sent, RetryPolicy.INTERACTIVE).await(client.scheduler()), sent);
    }

    /**
     * Ends the session: no more heartbeats, then {@code DELETE} on the service, which frees its slot at
     * once. Stopping a session that has already ended does nothing. The listener is not called.
     *
     * @throws ConcurrencyException if the service could not be told; it then expires the session by itself
     */
    public void stop() throws ConcurrencyException {
        if (!end(STOPPED_BY_APP)) return;
        HttpResponse<String> response = client.api().stop(key).await(client.scheduler());
        // 410: it had already ended on the service (expired, killed), which is all a stop asks for.
        if (response.statusCode() / 100 != 2 && response.statusCode() != 410) throw ResponseBodies.error(response);
    }

    private void heartbeat() {
        attempt(client.api().heartbeat(key, Map.of(), RetryPolicy.HEARTBEAT));
    }

    private void attempt(Call call) {
        if (!isActive() || client.isClosed()) return;
        Call.Step step = call.attempt();
        if (step instanceof Call.Answered answered) {
            try {
                answered(answered.response(), Map.of());
            } catch (ConcurrencyException e) {
                end(l -> l.failed(e)); // no-op when the answer already ended the session
            }
        } else if (step instanceof Call.Wait wait) {
            synchronized (this) {
                if (ending == null) schedule(wait.delay(), () -> attempt(call));
            }
        } else if (step instanceof Call.GaveUp gaveUp) {
            end(l -> l.failed(gaveUp.error()));
        }
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

    /** Called with the lock held. */
    private void renew(Duration lease) {
        expiresAt = client.clock().instant().plus(lease);
        Duration margin = lease.dividedBy(10).compareTo(MAX_MARGIN) > 0 ? MAX_MARGIN : lease.dividedBy(10);
        Duration interval = lease.minus(margin);
        schedule(interval.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : interval, this::heartbeat);
    }

    /** Called with the lock held: the one pending heartbeat (or retry) of this session. */
    private void schedule(Duration delay, Runnable task) {
        if (next != null) next.cancel(false);
        next = client.scheduler().schedule(delay, task);
    }

    /** Ends the session the first time only; returns whether this call did. */
    private boolean end(Consumer<SessionListener> how) {
        SessionListener told;
        synchronized (this) {
            if (ending != null) return false;
            ending = how;
            if (next != null) next.cancel(false);
            told = listener;
        }
        if (told != null) tell(told, how);
        return true;
    }

    private void tell(SessionListener listener, Consumer<SessionListener> how) {
        try {
            how.accept(listener);
        } catch (RuntimeException e) {
            // The listener's own failure must not stop the scheduler thread that called it.
            LOG.log(System.Logger.Level.WARNING, "Listener of session " + id() + " failed", e);
        }
    }
}
