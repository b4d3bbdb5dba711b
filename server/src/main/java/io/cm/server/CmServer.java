package io.cm.server;

import io.cm.core.service.SessionService;
import io.cm.core.session.SessionIds;
import io.cm.server.admin.AdminRoutes;
import io.cm.server.admin.AdminTokens;
import io.cm.server.admin.AppliedConfig;
import io.cm.server.admin.ConfigAdministration;
import io.cm.server.admin.ConfigRepository;
import io.cm.server.admin.FileConfigRepository;
import io.cm.server.config.ManagedSettings;
import io.cm.server.config.ServerConfig;
import io.cm.server.events.EmbeddedEventLog;
import io.cm.server.store.Storage;
import io.cm.server.store.embedded.EmbeddedStorage;
import io.cm.server.store.redis.RedisConfigRepository;
import io.cm.server.store.redis.RedisStorage;
import io.cm.server.http.ApiRouter;
import io.cm.server.http.OperationsHandlers;
import io.cm.server.http.RequestDecoder;
import io.cm.server.http.SessionHandlers;
import io.cm.server.metrics.ServerMetrics;
import io.cm.server.stream.LiveStreamHandler;
import io.cm.server.stream.LiveStreams;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** Wires the core to its adapters and serves HTTP; {@link #close()} stops it. */
public final class CmServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CmServer.class);
    private static final long EXPIRY_PERIOD_MILLIS = 1000;
    private static final Duration LIVE_STREAMS_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** How long requests already read may take to be answered once the server stops accepting. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final int port;
    private final Storage store;
    private final EmbeddedEventLog events;
    private final LiveStreams liveStreams;
    private final ConfigAdministration admin;
    private final long expiryTimer;

    private CmServer(Vertx vertx, int port, Storage store, EmbeddedEventLog events, LiveStreams liveStreams,
                     ConfigAdministration admin, long expiryTimer) {
        this.vertx = vertx;
        this.admin = admin;
        this.expiryTimer = expiryTimer;
        this.port = port;
        this.store = store;
        this.events = events;
        this.liveStreams = liveStreams;
    }

    /** Starts the server and returns once it listens; port 0 picks a free port. */
    public static CmServer start(ServerConfig config, Clock clock) {
        Storage store = openStorage(config, clock);
        ConfigRepository repository = openConfigRepository(config);
        ManagedSettings initial = ConfigAdministration.initial(config.managed(), config.admin().precedence(),
                repository, clock);
        EmbeddedEventLog events = EmbeddedEventLog.open(config.dataDir(), config.delivery(), clock);
        LiveStreams liveStreams = new LiveStreams(initial.streams(), events, config.delivery(), clock);
        AppliedConfig applied = new AppliedConfig(initial, config.throttle().requestLimits(),
                next -> liveStreams.reconfigure(next.streams()));
        SessionService service = new SessionService(applied.decisions(), store.sessions(),
                new SessionIds(SessionIdKey.load(config)), config.timings(), clock, events);
        ServerMetrics metrics = new ServerMetrics(service::activeSessions);
        events.bindTo(metrics.registry());
        liveStreams.bindTo(metrics.registry());
        LiveStreamHandler liveStream = new LiveStreamHandler(liveStreams);
        RequestDecoder decoder = new RequestDecoder(config.limits());
        SessionHandlers sessions = new SessionHandlers(service, applied.catalog(), decoder, metrics, clock);
        OperationsHandlers operations = new OperationsHandlers(metrics, store::ready);
        ConfigAdministration admin = new ConfigAdministration(applied, repository, clock);
        AdminRoutes adminRoutes = new AdminRoutes(AdminTokens.load(config.admin(), config.dataDir()), admin, service,
                decoder, List.of());

        Vertx vertx = Vertx.vertx();
        int instances = Runtime.getRuntime().availableProcessors();
        int port = config.port() == 0 ? freePort() : config.port();
        try {
            liveStreams.start(vertx);
            Future.await(vertx.deployVerticle(() -> new HttpVerticle(port, config, sessions, operations, liveStream,
                            adminRoutes::mount, metrics, clock), new DeploymentOptions().setInstances(instances)));
        } catch (Exception e) {
            vertx.close();
            admin.close();
            store.close();
            events.close();
            throw new IllegalStateException("Could not listen on port " + config.port() + ": " + e.getMessage(), e);
        }
        AtomicBoolean expiring = new AtomicBoolean();
        long expiryTimer = vertx.setPeriodic(EXPIRY_PERIOD_MILLIS, id -> expire(service, expiring));
        return new CmServer(vertx, port, store, events, liveStreams, admin, expiryTimer);
    }

    /** Where admin changes are kept: beside the sessions (the data directory, or Redis for many nodes). */
    private static ConfigRepository openConfigRepository(ServerConfig config) {
        return switch (config.store()) {
            case EMBEDDED -> FileConfigRepository.open(config.dataDir());
            case REDIS -> RedisConfigRepository.open(config.redisUrl().orElseThrow());
        };
    }

    /** One expiry pass at a time: a tick that finds the previous pass still running skips. */
    private static void expire(SessionService service, AtomicBoolean running) {
        if (!running.compareAndSet(false, true)) return;
        service.expireDue().whenComplete((expired, failure) -> {
            running.set(false);
            if (failure != null) LOG.warn("Expiry pass failed; the next one retries: {}", failure.toString());
        });
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

    /**
     * Stops gracefully (SPEC §4, §12): live streams end cleanly, the HTTP servers stop accepting and
     * answer every request they have read (each connection then closes), and only then the store and
     * the event log flush and close, so that every answered change is kept.
     */
    @Override
    public void close() {
        // Live streams end first (gzip trailer, positions kept) while the event loops still run.
        liveStreams.close(LIVE_STREAMS_CLOSE_TIMEOUT);
        vertx.cancelTimer(expiryTimer);
        try {
            // Undeploying the HTTP verticles drains them (HttpVerticle.stop).
            vertx.close().toCompletionStage().toCompletableFuture()
                    .get(DRAIN_TIMEOUT.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Server did not stop cleanly", e);
        } finally {
            admin.close();
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
        private final Consumer<Router> admin;
        private final ServerMetrics metrics;
        private final Clock clock;
        private HttpServer server;

        HttpVerticle(int port, ServerConfig config, SessionHandlers sessions, OperationsHandlers operations,
                     Handler<RoutingContext> liveStream, Consumer<Router> admin, ServerMetrics metrics, Clock clock) {
            this.clock = clock;
            this.admin = admin;
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
            server.requestHandler(ApiRouter.create(vertx, sessions, operations, liveStream, admin, metrics,
                    config.corsOrigins(), clock));
            server.invalidRequestHandler(ApiRouter::invalidRequest);
            this.server = server;
            return server.listen(port, "0.0.0.0");
        }

        /** Stops accepting; requests already read are answered before their connections close. */
        @Override
        public Future<?> stop() {
            return server.shutdown(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
