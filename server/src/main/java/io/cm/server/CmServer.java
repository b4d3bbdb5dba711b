package io.cm.server;

import io.cm.core.service.SessionService;
import io.cm.core.session.SessionIds;
import io.cm.server.config.ServerConfig;
import io.cm.server.events.EmbeddedEvents;
import io.cm.server.events.EventBackend;
import io.cm.server.events.kafka.KafkaEvents;
import io.cm.server.store.Storage;
import io.cm.server.store.embedded.EmbeddedStorage;
import io.cm.server.store.redis.RedisStorage;
import io.cm.server.http.ApiRouter;
import io.cm.server.http.OperationsHandlers;
import io.cm.server.http.RequestDecoder;
import io.cm.server.http.SessionHandlers;
import io.cm.server.metrics.ServerMetrics;
import io.cm.server.stream.LiveStreamHandler;
import io.cm.server.stream.LiveStreams;
import io.cm.server.throttle.RequestThrottle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Wires the core to its adapters and serves HTTP; {@link #close()} stops it. */
public final class CmServer implements AutoCloseable {

    private static final long EXPIRY_PERIOD_MILLIS = 1000;
    private static final Duration LIVE_STREAMS_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final int port;
    private final Storage store;
    private final EventBackend events;
    private final LiveStreams liveStreams;
    private final long expiryTimer;

    private CmServer(Vertx vertx, int port, Storage store, EventBackend events, LiveStreams liveStreams,
                     long expiryTimer) {
        this.vertx = vertx;
        this.expiryTimer = expiryTimer;
        this.port = port;
        this.store = store;
        this.events = events;
        this.liveStreams = liveStreams;
    }

    /** Starts the server and returns once it listens; port 0 picks a free port. */
    public static CmServer start(ServerConfig config, Clock clock) {
        Storage store = openStorage(config, clock);
        EventBackend events = openEvents(config, clock);
        SessionService service = new SessionService(config.catalog(), store.sessions(),
                new SessionIds(SessionIdKey.load(config)), config.timings(), clock, events);
        ServerMetrics metrics = new ServerMetrics(service::activeSessions);
        events.bindTo(metrics.registry());
        LiveStreams liveStreams = new LiveStreams(config.streams(), events, config.delivery());
        liveStreams.bindTo(metrics.registry());
        LiveStreamHandler liveStream = new LiveStreamHandler(liveStreams);
        SessionHandlers sessions = new SessionHandlers(service, config.catalog(), new RequestDecoder(config.limits()),
                new RequestThrottle(config.throttle(), clock, store.budgets()), metrics, clock);
        OperationsHandlers operations = new OperationsHandlers(metrics,
                () -> store.ready().thenApply(up -> up && events.ready()));

        Vertx vertx = Vertx.vertx();
        int instances = Runtime.getRuntime().availableProcessors();
        int port = config.port() == 0 ? freePort() : config.port();
        try {
            Future.await(vertx.deployVerticle(() -> new HttpVerticle(port, config, sessions, operations, liveStream,
                            metrics, clock), new DeploymentOptions().setInstances(instances)));
        } catch (Exception e) {
            vertx.close();
            store.close();
            events.close();
            throw new IllegalStateException("Could not listen on port " + config.port() + ": " + e.getMessage(), e);
        }
        long expiryTimer = vertx.setPeriodic(EXPIRY_PERIOD_MILLIS, id -> vertx.executeBlocking(service::expireDue, true));
        return new CmServer(vertx, port, store, events, liveStreams, expiryTimer);
    }

    private static EventBackend openEvents(ServerConfig config, Clock clock) {
        return switch (config.events()) {
            case EMBEDDED -> EmbeddedEvents.open(config.dataDir(), config.delivery(), clock);
            // The loader requires the Kafka settings with these events.
            case KAFKA -> KafkaEvents.open(config.kafka().orElseThrow(), config.delivery(), clock);
        };
    }

    private static Storage openStorage(ServerConfig config, Clock clock) {
        return switch (config.store()) {
            case EMBEDDED -> EmbeddedStorage.open(config, clock);
            // The loader requires the URL with this store.
            case REDIS -> RedisStorage.open(config.redisUrl().orElseThrow(), clock);
        };
    }

    /** Port 0 would give each event loop's server its own random port; one is chosen for all. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        // Live streams end first (gzip trailer, positions kept) while the event loops still run.
        liveStreams.close(LIVE_STREAMS_CLOSE_TIMEOUT);
        // Else a tick during the close hands expiry work to a worker pool already shut down.
        vertx.cancelTimer(expiryTimer);
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Server did not stop cleanly", e);
        } finally {
            store.close();
            // Last: events appended while Vert.x stopped (expiries) are still stored.
            events.close();
        }
    }

    /** One HTTP server per event loop on the same port; Vert.x spreads connections over them. */
    private static final class HttpVerticle extends VerticleBase {
        private final int port;
        private final ServerConfig config;
        private final SessionHandlers sessions;
        private final OperationsHandlers operations;
        private final Handler<RoutingContext> liveStream;
        private final ServerMetrics metrics;
        private final Clock clock;

        HttpVerticle(int port, ServerConfig config, SessionHandlers sessions, OperationsHandlers operations,
                     Handler<RoutingContext> liveStream, ServerMetrics metrics, Clock clock) {
            this.clock = clock;
            this.port = port;
            this.config = config;
            this.sessions = sessions;
            this.operations = operations;
            this.liveStream = liveStream;
            this.metrics = metrics;
        }

        @Override
        public Future<?> start() {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(16384));
            server.requestHandler(ApiRouter.create(vertx, sessions, operations, liveStream, metrics,
                    config.corsOrigins(), clock));
            server.invalidRequestHandler(ApiRouter::invalidRequest);
            return server.listen(port, "0.0.0.0");
        }
    }
}
