package io.cm.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The session API of the Concurrency Monitor for one application: start streams, learn the required
 * metadata, list a subscriber's running streams. A start the service refuses is a checked
 * {@link ConcurrencyConflict} carrying everything needed to let the user resolve it; a permitted one
 * is a {@link StreamSession} that heartbeats itself.
 *
 * <p>Waits and retries are built in ({@link RetryPolicy}): a 429 (or 503) is retried once the service's
 * {@code Retry-After} / {@code Expires} has passed, a network failure after a jittered back-off, a few
 * times at most; a start that may have reached the service is never sent twice. Every failure is a
 * checked {@link ConcurrencyException}.
 *
 * <p>Each call comes in two forms: blocking ({@link #start}) and asynchronous ({@link #startAsync}), whose
 * future completes on the {@linkplain Builder#callbackExecutor callback executor} and fails with the
 * exception the blocking form throws. No thread waits while a call waits for its answer or a retry.
 * Thread-safe; one instance per application is enough. Once {@link #close() closed}, a call that would
 * send a request throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (ConcurrencyClient client = ConcurrencyClient.builder(URI.create("https://cm.example"), "demo-app").build()) {
 *     StreamSession session = client.start("idp1", "alice", Map.of("deviceId", "tv", "channel", "news"));
 *     session.setListener(myListener);
 *     ...
 *     session.stop();
 * }
 * }</pre>
 */
public final class ConcurrencyClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ConcurrencyClient.class.getName());

    private final HttpClient http;
    private final boolean ownsHttp;
    private final SessionApi api;
    private final RetryPolicy heartbeatPolicy;
    private final Executor callbacks;
    private final Optional<ExecutorService> ownCallbacks;
    private final Timing time;
    private final AtomicReference<List<String>> requiredMetadata = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConcurrencyClient(Builder builder) {
        this.ownsHttp = builder.http.ownsClient();
        this.http = builder.http.client();
        this.time = new Timing(builder.clock, builder.scheduler, "cm-sessions");
        String credentials = builder.applicationId + ":" + builder.secret;
        this.api = new SessionApi(http, builder.baseUrl,
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)),
                builder.http.requestTimeout(), builder.retryPolicy, time.scheduler, closed::get);
        this.heartbeatPolicy = builder.heartbeatRetryPolicy;
        this.ownCallbacks = builder.callbacks == null ? Optional.of(callbackThreads()) : Optional.empty();
        this.callbacks = builder.callbacks == null ? ownCallbacks.get() : builder.callbacks;
    }

    /** Daemon threads, made when a callback is due and ended after a minute idle. */
    private static ExecutorService callbackThreads() {
        AtomicInteger count = new AtomicInteger();
        return Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "cm-callbacks-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A builder of a client of the service at {@code baseUrl}, as {@code applicationId}.
     *
     * @param baseUrl       where the service answers, e.g. {@code https://cm.example}
     * @param applicationId the application's id (the HTTP Basic user name)
     * @return the builder, with the defaults of each setting
     * @throws IllegalArgumentException if the application id is empty or holds a {@code ':'}
     * @throws NullPointerException     if an argument is null
     */
    public static Builder builder(URI baseUrl, String applicationId) {
        return new Builder(baseUrl, applicationId);
    }

    /**
     * The metadata keys this application's policies need in every start ({@code GET /v2/metadata}).
     * Asked once, then cached; the cache is dropped when a start is refused for missing metadata.
     *
     * @return the keys, in the service's order
     * @throws ConcurrencyException if the service could not be asked or its answer read
     */
    public List<String> requiredMetadata() throws ConcurrencyException {
        return Waits.result(requiredMetadataCall());
    }

    /**
     * {@link #requiredMetadata()} without waiting.
     *
     * @return the keys, once known; fails with the {@link ConcurrencyException} the blocking form throws
     */
    public CompletableFuture<List<String>> requiredMetadataAsync() {
        return toCaller(requiredMetadataCall());
    }

    private CompletableFuture<List<String>> requiredMetadataCall() {
        List<String> cached = requiredMetadata.get();
        if (cached != null) return CompletableFuture.completedFuture(cached);
        return api.requiredMetadata().send(response -> {
            if (response.statusCode() != 200) throw ResponseBodies.error(response);
            List<String> keys = ResponseBodies.requiredMetadata(response);
            requiredMetadata.set(keys);
            return keys;
        });
    }

    /**
     * Starts a stream of subscriber {@code idp}/{@code subject} with {@code metadata} (the user's
     * selection: device, channel, content…), ending the sessions of {@code terminate} in the same step
     * if given ({@code X-Terminate}).
     *
     * @param idp       the subscriber's identity provider
     * @param subject   the subscriber's account
     * @param metadata  what is played and where; must hold the {@link #requiredMetadata()}
     * @param terminate termination codes of sessions to end in its place (none for a plain start)
     * @return the running session, which heartbeats itself from now on
     * @throws ConcurrencyConflict        if a concurrency rule refuses it: show {@link ConcurrencyConflict#explain()}
     *                                    and offer {@link ConcurrencyConflict#retryTerminating}
     * @throws MissingMetadataException   if required metadata is missing
     * @throws MalformedResponseException if the service's answer cannot be read
     * @throws ConcurrencyException       for any other failure (unreachable, throttled beyond the retries, 401…)
     */
    public StreamSession start(String idp, String subject, Map<String, String> metadata, String... terminate)
            throws ConcurrencyException {
        return Waits.result(start(new StartRequest(idp, subject, metadata, List.of(terminate))));
    }

    /**
     * {@link #start} without waiting. Cancelling the future stops the retries; a session the service
     * started all the same is stopped at once.
     *
     * @param idp       the subscriber's identity provider
     * @param subject   the subscriber's account
     * @param metadata  what is played and where; must hold the {@link #requiredMetadata()}
     * @param terminate termination codes of sessions to end in its place (none for a plain start)
     * @return the running session; fails with the {@link ConcurrencyException} the blocking form throws,
     *         a {@link ConcurrencyConflict} when a concurrency rule refuses it
     */
    public CompletableFuture<StreamSession> startAsync(String idp, String subject, Map<String, String> metadata,
                                                       String... terminate) {
        return toCaller(start(new StartRequest(idp, subject, metadata, List.of(terminate))));
    }

    /**
     * The subscriber's active sessions this application may see ({@code GET /v2/runningStreams}).
     *
     * @param idp     the subscriber's identity provider
     * @param subject the subscriber's account
     * @return the visible sessions, each with its termination code, and how many others run
     * @throws ConcurrencyException if the service could not be asked or its answer read
     */
    public RunningStreams runningStreams(String idp, String subject) throws ConcurrencyException {
        return Waits.result(runningStreamsCall(idp, subject));
    }

    /**
     * {@link #runningStreams} without waiting.
     *
     * @param idp     the subscriber's identity provider
     * @param subject the subscriber's account
     * @return the listing; fails with the {@link ConcurrencyException} the blocking form throws
     */
    public CompletableFuture<RunningStreams> runningStreamsAsync(String idp, String subject) {
        return toCaller(runningStreamsCall(idp, subject));
    }

    private CompletableFuture<RunningStreams> runningStreamsCall(String idp, String subject) {
        return api.runningStreams(idp, subject).send(response -> {
            if (response.statusCode() != 200) throw ResponseBodies.error(response);
            return ResponseBodies.runningStreams(response);
        });
    }

    /**
     * Stops heartbeating and frees the client's threads (and its own HTTP client, not one the builder was
     * given). Sessions still running are not stopped on the service, which expires them;
     * {@link StreamSession#stop()} them first to free their slots at once. A call that would send a request
     * afterwards throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        time.close();
        ownCallbacks.ifPresent(ExecutorService::shutdown);
        if (ownsHttp) HttpClients.release(http);
    }

    /**
     * A start, and the session it makes. The caller may cancel the returned future: the session the
     * service may have started meanwhile is then stopped, since no one else can.
     */
    CompletableFuture<StreamSession> start(StartRequest request) {
        Call call = api.start(request);
        CompletableFuture<StreamSession> started = call.send(response -> started(response, request));
        CompletableFuture<StreamSession> forCaller = started.thenApply(session -> session);
        forCaller.whenComplete((session, error) -> {
            if (forCaller.isCancelled()) call.abandon();
        });
        started.thenAccept(session -> {
            if (forCaller.isCancelled()) session.stopAsync();
        });
        return forCaller;
    }

    private StreamSession started(HttpResponse<String> response, StartRequest request) throws ConcurrencyException {
        int status = response.statusCode();
        if (status / 100 == 2) {
            SessionKey key = new SessionKey(request.idp(), request.subject(), ResponseBodies.sessionId(response));
            return StreamSession.begin(this, key, request.metadata(), lease(response));
        }
        if (status == 409) throw conflict(response, request);
        ConcurrencyException error = ResponseBodies.error(response);
        if (error instanceof MissingMetadataException) requiredMetadata.set(null);
        throw error;
    }

    /**
     * {@code call} as the caller gets it: completed on the callback executor, and cancelling it cancels
     * the call.
     */
    <T> CompletableFuture<T> toCaller(CompletableFuture<T> call) {
        CompletableFuture<T> forCaller = call.whenCompleteAsync((value, error) -> { }, callbacks);
        forCaller.whenComplete((value, error) -> {
            if (forCaller.isCancelled()) call.cancel(false);
        });
        return forCaller;
    }

    /** A 409's conflict, logged: the seed asks apps to keep a record of policy violations for analysis. */
    ConcurrencyConflict conflict(HttpResponse<String> response, StartRequest request) throws MalformedResponseException {
        ConcurrencyConflict conflict = new ConcurrencyConflict(ResponseBodies.violations(response),
                ServerTimes.date(response.headers()), request, this);
        LOG.log(System.Logger.Level.INFO, "Concurrency conflict for {0}/{1}: {2}", request.idp(), request.subject(),
                conflict.getMessage());
        return conflict;
    }

    /** The lease a 2xx to a start or heartbeat grants: {@code Expires} − {@code Date}. */
    static Duration lease(HttpResponse<String> response) throws MalformedResponseException {
        return ServerTimes.untilExpires(response.headers())
                .orElseThrow(() -> ResponseBodies.malformed(response, "no valid Date and Expires headers"));
    }

    SessionApi api() {
        return api;
    }

    RetryPolicy heartbeatPolicy() {
        return heartbeatPolicy;
    }

    Executor callbacks() {
        return callbacks;
    }

    Scheduler scheduler() {
        return time.scheduler;
    }

    Clock clock() {
        return time.clock;
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Settings of a {@link ConcurrencyClient}; only the base URL and the application id are required.
     * Each setter checks its value at once.
     */
    public static final class Builder {
        private final URI baseUrl;
        private final String applicationId;
        private String secret = "";
        private final HttpSettings http = new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(10));
        private RetryPolicy retryPolicy = RetryPolicy.INTERACTIVE;
        private RetryPolicy heartbeatRetryPolicy = RetryPolicy.HEARTBEAT;
        private Executor callbacks;
        private Clock clock = Clock.systemUTC();
        private Scheduler scheduler;

        private Builder(URI baseUrl, String applicationId) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            this.applicationId = Objects.requireNonNull(applicationId, "applicationId");
            // HTTP Basic cannot carry a user name with a colon: the service would read another application.
            if (applicationId.isEmpty() || applicationId.contains(":")) {
                throw new IllegalArgumentException("application id must be non-empty and without ':': " + applicationId);
            }
        }

        /**
         * The application's secret (HTTP Basic password), if it has one.
         *
         * @param secret the secret
         * @return this builder
         * @throws NullPointerException if {@code secret} is null
         */
        public Builder secret(String secret) {
            this.secret = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /**
         * How long a connection to the service may take to open (5 s by default). Only for the client's own
         * HTTP client: one given to {@link #httpClient} brings its own.
         *
         * @param connectTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         * @throws IllegalStateException    if an HTTP client was given
         */
        public Builder connectTimeout(Duration connectTimeout) {
            http.connectTimeout(connectTimeout);
            return this;
        }

        /**
         * How long each attempt of a call waits for the service's answer (10 s by default). A start whose
         * answer does not come in time is not sent again (it may have been acted on); other calls are.
         *
         * @param requestTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder requestTimeout(Duration requestTimeout) {
            http.requestTimeout(requestTimeout);
            return this;
        }

        /**
         * The HTTP client to send requests with, e.g. for an {@code SSLContext}, a proxy or an executor of
         * your own; by default the client makes one (HTTP/1.1). It must not follow redirects: a redirected
         * start would go to a place this client did not choose. The client does not close it.
         *
         * @param http the HTTP client
         * @return this builder
         * @throws IllegalArgumentException if it follows redirects
         * @throws IllegalStateException    if a connect timeout was set, which only the client's own one takes
         */
        public Builder httpClient(HttpClient http) {
            this.http.httpClient(http);
            return this;
        }

        /**
         * How starts, updates, stops and listings are retried ({@link RetryPolicy#INTERACTIVE} by default).
         *
         * @param policy the policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How scheduled heartbeats are retried ({@link RetryPolicy#HEARTBEAT} by default). When they fail for
         * good the session's listener is told {@link SessionListener#failed}.
         *
         * @param policy the policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder heartbeatRetryPolicy(RetryPolicy policy) {
            this.heartbeatRetryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Where {@link SessionListener} methods run and the futures of the asynchronous calls complete; by
         * default, daemon threads of the client's own. A listener may block (e.g. start again after a
         * dismissal): an executor given here should allow that.
         *
         * @param executor the executor
         * @return this builder
         * @throws NullPointerException if {@code executor} is null
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbacks = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The clock of {@link StreamSession#expiresAt()}; the system clock by default. Tests set theirs. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Who runs heartbeats and measures waits; by default a daemon timer owned (and closed) by the client. */
        Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Makes the client.
         *
         * @return the client, ready for calls
         */
        public ConcurrencyClient build() {
            return new ConcurrencyClient(this);
        }
    }
}
