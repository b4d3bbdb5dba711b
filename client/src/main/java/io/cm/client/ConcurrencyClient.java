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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The session API of the Concurrency Monitor for one application: start streams, learn the required
 * metadata, list a subscriber's running streams. A start the service refuses is a checked
 * {@link ConcurrencyConflict} carrying everything needed to let the user resolve it; a permitted one
 * is a {@link StreamSession} that heartbeats itself.
 *
 * <p>Waits and retries are built in: a 429 (or 503) is retried once the service's {@code Retry-After}
 * / {@code Expires} has passed, a network failure after a jittered back-off, a few times at most; a
 * start that may have reached the service is never sent twice. Every failure is a checked
 * {@link ConcurrencyException}. Thread-safe; one instance per application is enough.
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
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final SessionApi api;
    private final Timing time;
    private final AtomicReference<List<String>> requiredMetadata = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConcurrencyClient(Builder builder) {
        this.http = HttpClients.create(CONNECT_TIMEOUT);
        String credentials = builder.applicationId + ":" + builder.secret;
        this.api = new SessionApi(http, builder.baseUrl,
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        this.time = new Timing(builder.clock, builder.scheduler, "cm-sessions");
    }

    /** A builder for the service at {@code baseUrl} (e.g. {@code https://cm.example}), as {@code applicationId}. */
    public static Builder builder(URI baseUrl, String applicationId) {
        return new Builder(baseUrl, applicationId);
    }

    /**
     * The metadata keys this application's policies need in every start ({@code GET /v2/metadata}).
     * Asked once, then cached; the cache is dropped when a start is refused for missing metadata.
     */
    public List<String> requiredMetadata() throws ConcurrencyException {
        List<String> cached = requiredMetadata.get();
        if (cached != null) return cached;
        HttpResponse<String> response = api.requiredMetadata().await(scheduler());
        if (response.statusCode() != 200) throw ResponseBodies.error(response);
        List<String> keys = ResponseBodies.requiredMetadata(response);
        requiredMetadata.set(keys);
        return keys;
    }

    /**
     * Starts a stream of subscriber {@code idp}/{@code subject} with {@code metadata} (the user's
     * selection: device, channel, content…), ending the sessions of {@code terminate} in the same step
     * if given ({@code X-Terminate}).
     *
     * @throws ConcurrencyConflict       if a concurrency rule refuses it: show {@link ConcurrencyConflict#explain()}
     *                                   and offer {@link ConcurrencyConflict#retryTerminating}
     * @throws MissingMetadataException  if required metadata is missing
     * @throws MalformedResponseException if the service's answer cannot be read
     * @throws ConcurrencyException      for any other failure (unreachable, throttled beyond the retries, 401…)
     */
    public StreamSession start(String idp, String subject, Map<String, String> metadata, String... terminate)
            throws ConcurrencyConflict, ConcurrencyException {
        return start(new StartRequest(idp, subject, metadata, List.of(terminate)));
    }

    /** The subscriber's active sessions this application may see ({@code GET /v2/runningStreams}). */
    public RunningStreams runningStreams(String idp, String subject) throws ConcurrencyException {
        HttpResponse<String> response = api.runningStreams(idp, subject).await(scheduler());
        if (response.statusCode() != 200) throw ResponseBodies.error(response);
        return ResponseBodies.runningStreams(response);
    }

    /**
     * Stops heartbeating and frees the client's threads. Sessions still running are not stopped on the
     * service, which expires them; {@link StreamSession#stop()} them first to free their slots at once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        time.close();
        HttpClients.release(http);
    }

    StreamSession start(StartRequest request) throws ConcurrencyConflict, ConcurrencyException {
        HttpResponse<String> response = api.start(request).await(scheduler());
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

    Scheduler scheduler() {
        return time.scheduler;
    }

    Clock clock() {
        return time.clock;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Settings of a {@link ConcurrencyClient}; only the base URL and the application id are required. */
    public static final class Builder {
        private final URI baseUrl;
        private final String applicationId;
        private String secret = "";
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

        /** The application's secret (HTTP Basic password), if it has one. */
        public Builder secret(String secret) {
            this.secret = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /** The clock of {@link StreamSession#expiresAt()}; the system clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Who runs heartbeats and measures waits; by default a daemon timer owned (and closed) by the client. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The client. */
        public ConcurrencyClient build() {
            return new ConcurrencyClient(this);
        }
    }
}
