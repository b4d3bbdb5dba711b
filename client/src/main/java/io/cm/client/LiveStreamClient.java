package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads a live event stream ({@code /api/1/stream/{name}}, SPEC §6) over one persistent connection,
 * the way the seed asks: connect once and keep reading; after a loss wait (the service's
 * {@code Retry-After}, else the reconnect delay, 60 s by default, with jitter) before connecting
 * again, at once only with a clientId, whose reconnect replaces the stale connection on the service.
 * Attempts that do not connect are bounded (10 in a row by default) with growing waits; refusals that
 * cannot change (401, 404, 400…) end it at once.
 *
 * <p>Records are the JSON events of the stream, each delivered once: keepalives are skipped and
 * repeats after a reconnect (the stream is at-least-once) are recognised by {@code hit_id} among the
 * most recent ones. A connection silent for the idle timeout (30 s; the service sends a keepalive at
 * least every 5 s) is taken for lost. Redirects are followed, re-sending the token.
 *
 * <p>Use one style per client: {@link #subscribe} (records on the client's thread) or
 * {@link #records()} (a blocking iterator). {@link #close()} ends either.
 */
public final class LiveStreamClient implements AutoCloseable {

    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    private static final int QUEUE_CAPACITY = 1024;

    private final HttpClient http;
    private final ConnectionLoop.Settings settings;
    private final StreamConnector connector;
    private final ReconnectDelays delays;
    private final int rememberedHitIds;
    private final Timing time;
    private ConnectionLoop loop;
    private Thread reader;
    private boolean closed;

    private LiveStreamClient(Builder builder) {
        this.http = HttpClients.create(Duration.ofSeconds(10));
        this.time = new Timing(builder.clock, builder.scheduler, "cm-live-stream");
        this.settings = new ConnectionLoop.Settings(withParameters(builder), builder.maxAttempts, builder.idleTimeout,
                time.clock, time.scheduler);
        this.connector = new StreamConnector(http, builder.token);
        this.delays = new ReconnectDelays(builder.reconnectDelay, builder.clientId.isPresent(), time.clock);
        this.rememberedHitIds = builder.rememberedHitIds;
    }

    /** A builder for the stream at {@code streamUrl} (e.g. {@code https://cm.example/api/1/stream/demo}). */
    public static Builder builder(URI streamUrl, String token) {
        return new Builder(streamUrl, token);
    }

    private static URI withParameters(Builder builder) {
        String url = builder.streamUrl.toString();
        StringBuilder withQuery = new StringBuilder(url).append(builder.streamUrl.getRawQuery() == null ? '?' : '&')
                .append("maxConnections=").append(builder.maxConnections);
        builder.clientId.ifPresent(id -> withQuery.append("&clientId=")
                .append(URLEncoder.encode(id, StandardCharsets.UTF_8)));
        return URI.create(withQuery.toString());
    }

    /**
     * Connects and calls {@code onRecord} with each record, in order, on the client's reading thread
     * (a slow callback slows the reading, not memory). An exception thrown by {@code onRecord} is
     * logged and the record skipped. {@code onFailure} is called once if the client gives up.
     * Time spent in {@code onRecord} does not count as silence of the connection.
     *
     * @throws IllegalStateException if this client was already started or closed
     */
    public void subscribe(Consumer<JsonNode> onRecord, Consumer<LiveStreamException> onFailure) {
        Objects.requireNonNull(onRecord, "onRecord");
        Objects.requireNonNull(onFailure, "onFailure");
        start(new CallbackSink(onRecord, onFailure));
    }

    /**
     * Connects and returns the records as a blocking iterator: {@code hasNext()} waits for the next
     * record, returns false once the client is closed (after the records already received), and throws
     * the {@link LiveStreamException} if the client gave up. Not interruptible: {@link #close()} ends it.
     *
     * @throws IllegalStateException if this client was already started or closed
     */
    public Iterator<JsonNode> records() {
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

    /** Closes the connection, stops reconnecting and waits briefly for the reading thread to end. */
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
        HttpClients.release(http);
    }

    /** Settings of a {@link LiveStreamClient}; only the stream URL and the token are required. */
    public static final class Builder {
        private final URI streamUrl;
        private final String token;
        private int maxConnections = 1;
        private Optional<String> clientId = Optional.empty();
        private Duration reconnectDelay = Duration.ofSeconds(60);
        private int maxAttempts = 10;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private int rememberedHitIds = 100_000;
        private Clock clock = Clock.systemUTC();
        private Scheduler scheduler;

        private Builder(URI streamUrl, String token) {
            this.streamUrl = Objects.requireNonNull(streamUrl, "streamUrl");
            this.token = Objects.requireNonNull(token, "token");
        }

        /** The stream's {@code maxConnections} (1–8): every connection of the stream must use the same. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1 || maxConnections > 8) {
                throw new IllegalArgumentException("maxConnections must be 1..8");
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /** A stable name for this consumer: a reconnect then replaces its stale connection and may be immediate. */
        public Builder clientId(String clientId) {
            if (clientId.isEmpty() || clientId.length() > 256) {
                throw new IllegalArgumentException("clientId must be 1..256 characters");
            }
            this.clientId = Optional.of(clientId);
            return this;
        }

        /** The wait after a lost connection (60 s by default, as the seed advises) and the base of the back-off. */
        public Builder reconnectDelay(Duration reconnectDelay) {
            this.reconnectDelay = positive(reconnectDelay, "reconnectDelay");
            return this;
        }

        /** How many attempts in a row may fail to connect before the client gives up (10 by default). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** How long a connection may stay silent before it is taken for lost (30 s by default). */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive(idleTimeout, "idleTimeout");
            return this;
        }

        /** How many recent {@code hit_id}s are remembered to drop repeats (100,000 by default). */
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

        /** The client, not yet connected: {@link #subscribe} or {@link #records()} connects. */
        public LiveStreamClient build() {
            return new LiveStreamClient(this);
        }

        private static Duration positive(Duration duration, String name) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return duration;
        }
    }
}
