package io.cm.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Reads a live event stream ({@code /api/1/stream/{name}}, SPEC §6) over one persistent connection,
 * the way the seed asks: connect once and keep reading; after a loss wait (the service's
 * {@code Retry-After}, else the reconnect delay, 60 s by default, with jitter) before connecting
 * again, at once only with a clientId, whose reconnect replaces the stale connection on the service.
 * Attempts that do not connect are bounded (10 in a row by default) with growing waits; refusals that
 * cannot change (401, 404, 400…) end it at once.
 *
 * <p>Records are typed {@link SessionEvent}s, each delivered once: keepalives are skipped and repeats
 * after a reconnect (the stream is at-least-once) are recognised by {@code hit_id} among the most
 * recent ones; a record of a type this client does not know comes as {@link SessionEvent.Unknown}. A
 * connection silent for the idle timeout (30 s; the service sends a keepalive at least every 5 s) is
 * taken for lost. Redirects are followed, re-sending the token, but never from https to http.
 *
 * <p>Use one style per client: {@link #subscribe} (callbacks) or {@link #events()} (a blocking iterator).
 * {@link #close()} ends either.
 */
public final class LiveStreamClient implements AutoCloseable {

    /** Where a stream with no live connection starts ({@code reset=}), instead of where it stood. */
    public enum Reset {
        /** At the oldest record the service still keeps. */
        SMALLEST,
        /** At the newest: only what happens from now on. */
        LARGEST
    }

    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    private static final int QUEUE_CAPACITY = 1024;

    private final HttpClient http;
    private final boolean ownsHttp;
    private final ConnectionLoop.Settings settings;
    private final StreamConnector connector;
    private final ReconnectDelays delays;
    private final int rememberedHitIds;
    private final Executor callbacks;
    private final Timing time;
    private ConnectionLoop loop;
    private Thread reader;
    private boolean closed;

    private LiveStreamClient(Builder builder) {
        this.ownsHttp = builder.http.ownsClient();
        this.http = builder.http.client();
        this.time = new Timing(builder.clock, builder.scheduler, "cm-live-stream");
        URI uri = withParameters(builder, Optional.empty());
        this.settings = new ConnectionLoop.Settings(withParameters(builder, builder.reset), uri, builder.maxAttempts,
                builder.idleTimeout, time.clock, time.scheduler);
        BearerTokens tokens = builder.credentials == null ? BearerTokens.fixed(builder.token)
                : new ClientCredentialsTokens(http, builder.credentials.tokenUrl(), builder.credentials.clientId(),
                builder.credentials.clientSecret(), builder.http.requestTimeout(), time.clock);
        this.connector = new StreamConnector(http, tokens, builder.http.requestTimeout());
        this.delays = new ReconnectDelays(builder.reconnectDelay, builder.clientId.isPresent(), time.clock);
        this.rememberedHitIds = builder.rememberedHitIds;
        this.callbacks = builder.callbacks;
    }

    /**
     * A builder of a client of the stream at {@code streamUrl}.
     *
     * @param streamUrl the stream, e.g. {@code https://cm.example/api/1/stream/demo}
     * @param token     one of the stream's bearer tokens
     * @return the builder, with the defaults of each setting
     * @throws NullPointerException if an argument is null
     */
    public static Builder builder(URI streamUrl, String token) {
        return new Builder(streamUrl, Objects.requireNonNull(token, "token"), null);
    }

    /**
     * A builder of a client of the stream at {@code streamUrl} that obtains its bearer tokens itself from
     * the service's token endpoint (OAuth 2.0 client credentials): before the first connection, again a
     * little before each token expires, and at once when the stream refuses one with 401 (then the
     * connection is tried once more with the new token).
     *
     * @param streamUrl    the stream, e.g. {@code https://cm.example/api/1/stream/demo}
     * @param tokenUrl     the token endpoint, e.g. {@code https://cm.example/token}
     * @param clientId     the stream client's id
     * @param clientSecret its secret
     * @return the builder, with the defaults of each setting
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the client id is empty
     */
    public static Builder builder(URI streamUrl, URI tokenUrl, String clientId, String clientSecret) {
        if (clientId.isEmpty()) throw new IllegalArgumentException("clientId must not be empty");
        return new Builder(streamUrl, null, new Credentials(Objects.requireNonNull(tokenUrl, "tokenUrl"), clientId,
                Objects.requireNonNull(clientSecret, "clientSecret")));
    }

    /** A stream client's credentials at the token endpoint. */
    private record Credentials(URI tokenUrl, String clientId, String clientSecret) {
    }

    private static URI withParameters(Builder builder, Optional<Reset> reset) {
        String url = builder.streamUrl.toString();
        StringBuilder withQuery = new StringBuilder(url).append(builder.streamUrl.getRawQuery() == null ? '?' : '&')
                .append("maxConnections=").append(builder.maxConnections);
        builder.clientId.ifPresent(id -> withQuery.append("&clientId=")
                .append(URLEncoder.encode(id, StandardCharsets.UTF_8)));
        reset.ifPresent(where -> withQuery.append("&reset=").append(where.name().toLowerCase(Locale.ROOT)));
        return URI.create(withQuery.toString());
    }

    /**
     * Connects and calls {@code onEvent} with each record, in order, on the callback executor (by default
     * the client's reading thread), one at a time: the reading waits for each callback, so a slow
     * consumer slows the connection, not memory, and its time does not count as silence of the
     * connection. An exception thrown by {@code onEvent} is logged and the record skipped.
     * {@code onFailure} is called once if the client gives up.
     *
     * @param onEvent   what to do with each record
     * @param onFailure what to do when the client gives up
     * @throws IllegalStateException if this client was already started or closed
     * @throws NullPointerException  if a callback is null
     */
    public void subscribe(Consumer<SessionEvent> onEvent, Consumer<LiveStreamException> onFailure) {
        Objects.requireNonNull(onEvent, "onEvent");
        Objects.requireNonNull(onFailure, "onFailure");
        start(new CallbackSink(onEvent, onFailure, callbacks));
    }

    /**
     * Connects and returns the records as a blocking iterator: {@code hasNext()} waits for the next
     * record, returns false once the client is closed (after the records already received), and throws
     * the {@link LiveStreamException} if the client gave up. Not interruptible: {@link #close()} ends it.
     * Up to 1,024 records wait for the consumer; then the connection is slowed down.
     *
     * @return the records, in the order of the stream
     * @throws IllegalStateException if this client was already started or closed
     */
    public Iterator<SessionEvent> events() {
        RecordQueue queue = new RecordQueue(QUEUE_CAPACITY);
        start(queue);
        return queue;
    }

    private synchronized void start(RecordSink sink) {
        if (loop != null || closed) {
            throw new IllegalStateException("a live stream client is started once, before close()");
        }
        loop = new ConnectionLoop(connector, settings, delays, new RecentHitIds(rememberedHitIds), sink);
        reader = new Thread(loop, "cm-live-stream");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Closes the connection, stops reconnecting and waits briefly for the reading thread to end; frees the
     * client's own HTTP client, not one the builder was given.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (loop != null) {
            loop.close();
            reader.interrupt();
            try {
                reader.join(JOIN_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        time.close();
        if (ownsHttp) HttpClients.release(http);
    }

    /**
     * Settings of a {@link LiveStreamClient}; only the stream URL and the token (or the client credentials)
     * are required. Each setter checks its value at once.
     */
    public static final class Builder {
        private final URI streamUrl;
        private final String token;
        private final Credentials credentials;
        private int maxConnections = 1;
        private Optional<String> clientId = Optional.empty();
        private Optional<Reset> reset = Optional.empty();
        private Duration reconnectDelay = Duration.ofSeconds(60);
        private int maxAttempts = 10;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private final HttpSettings http = new HttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(30));
        private Executor callbacks = Runnable::run;
        private int rememberedHitIds = 100_000;
        private Clock clock = Clock.systemUTC();
        private Scheduler scheduler;

        private Builder(URI streamUrl, String token, Credentials credentials) {
            this.streamUrl = Objects.requireNonNull(streamUrl, "streamUrl");
            this.token = token;
            this.credentials = credentials;
        }

        /**
         * The stream's {@code maxConnections}: every connection of the stream must use the same (1 by default).
         *
         * @param maxConnections from 1 to 8
         * @return this builder
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1 || maxConnections > 8) {
                throw new IllegalArgumentException("maxConnections must be 1..8");
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * A stable name for this consumer: a reconnect then replaces its stale connection on the service
         * and may be immediate.
         *
         * @param clientId 1 to 256 characters
         * @return this builder
         * @throws IllegalArgumentException if it is empty or too long
         */
        public Builder clientId(String clientId) {
            if (clientId.isEmpty() || clientId.length() > 256) {
                throw new IllegalArgumentException("clientId must be 1..256 characters");
            }
            this.clientId = Optional.of(clientId);
            return this;
        }

        /**
         * Where to start reading, instead of where the stream's last connection stood (or, the first time
         * ever, at the end). Sent until the first connection opens, never on a reconnect, which must go on
         * from where the lost connection stood. The service applies it only when no other connection of the
         * stream is live.
         *
         * @param reset {@link Reset#SMALLEST} or {@link Reset#LARGEST}
         * @return this builder
         * @throws NullPointerException if {@code reset} is null
         */
        public Builder reset(Reset reset) {
            this.reset = Optional.of(Objects.requireNonNull(reset, "reset"));
            return this;
        }

        /**
         * The wait after a lost connection (60 s by default, as the seed advises) and the base of the back-off.
         *
         * @param reconnectDelay a positive duration
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder reconnectDelay(Duration reconnectDelay) {
            this.reconnectDelay = Durations.positive(reconnectDelay, "reconnectDelay");
            return this;
        }

        /**
         * How many attempts in a row may fail to connect before the client gives up (10 by default).
         *
         * @param maxAttempts at least 1
         * @return this builder
         * @throws IllegalArgumentException if it is below 1
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * How long a connection may stay silent before it is taken for lost (30 s by default).
         *
         * @param idleTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Durations.positive(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * How long a connection may take to open (10 s by default). Only for the client's own HTTP client:
         * one given to {@link #httpClient} brings its own.
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
         * How long an attempt to connect waits for the service's answer, its status and headers (30 s by
         * default); the stream itself then runs without a limit, watched by the {@link #idleTimeout}.
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
         * The HTTP client to connect with, e.g. for an {@code SSLContext} or a proxy; by default the client
         * makes one. It must not follow redirects: this client follows them itself, re-sending the token
         * and refusing https to http. Requests go as HTTP/1.1 whatever it prefers. The client does not
         * close it.
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
         * Where the callbacks of {@link #subscribe} run; by default on the client's reading thread. Either
         * way they run one at a time, in the order of the stream, the reading waiting for each.
         *
         * @param executor the executor
         * @return this builder
         * @throws NullPointerException if {@code executor} is null
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbacks = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * How many recent {@code hit_id}s are remembered to drop repeats (100,000 by default).
         *
         * @param count at least 1
         * @return this builder
         * @throws IllegalArgumentException if it is below 1
         */
        public Builder rememberedHitIds(int count) {
            if (count < 1) throw new IllegalArgumentException("rememberedHitIds must be at least 1");
            this.rememberedHitIds = count;
            return this;
        }

        /** The clock of the idle timeout and of the limit on immediate reconnects; the system clock by default. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Who measures waits and idle time; by default a daemon timer owned (and closed) by the client. */
        Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Makes the client, not yet connected: {@link #subscribe} or {@link #events()} connects.
         *
         * @return the client
         */
        public LiveStreamClient build() {
            return new LiveStreamClient(this);
        }
    }
}
