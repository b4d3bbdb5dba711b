package io.cm.server;

import io.cm.core.event.EventLog;
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
import io.cm.server.events.EmbeddedEvents;
import io.cm.server.events.EventBackend;
import io.cm.server.events.kafka.KafkaEventTail;
import io.cm.server.events.kafka.KafkaEvents;
import io.cm.server.store.Storage;
import io.cm.server.store.embedded.EmbeddedStorage;
import io.cm.server.store.redis.RedisConfigRepository;
import io.cm.server.store.redis.RedisStorage;
import io.cm.server.http.ApiRouter;
import io.cm.server.http.ConnectionLimits;
import io.cm.server.http.OperationsHandlers;
import io.cm.server.http.ReadinessCheck;
import io.cm.server.http.RequestDecoder;
import io.cm.server.http.SessionHandlers;
import io.cm.server.http.TokenEndpoint;
import io.cm.server.metrics.ServerMetrics;
import io.cm.server.ops.DataDirectory;
import io.cm.server.ops.StartupFailure;
import io.cm.server.report.AppendedEvents;
import io.cm.server.report.ReportRoutes;
import io.cm.server.report.ReportWorker;
import io.cm.server.stream.LiveStreamHandler;
import io.cm.server.stream.LiveStreams;
import io.cm.server.tls.CertificateWatch;
import io.cm.server.token.AccessTokens;
import io.cm.server.token.StreamClients;
import io.cm.server.token.TokenKey;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/** Wires the core to its adapters and serves HTTP; {@link #close()} stops it. */
public final class CmServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CmServer.class);
    private static final long EXPIRY_PERIOD_MILLIS = 1000;
    private static final Duration LIVE_STREAMS_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** How long requests already read may take to be answered once the server stops accepting. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /** Client secrets are checked with a slow key derivation: two at a time at most, whatever the load. */
    private static final int SECRET_CHECK_THREADS = 2;
    private final Vertx vertx;
    private final int port;
    private final OptionalInt managementPort;
    private final OptionalInt plainPort;
    private final Storage store;
    private final EventBackend events;
    private final LiveStreams liveStreams;
    private final ConfigAdministration admin;
    private final ServerMetrics metrics;
    private final ReportWorker reports;
    private final Optional<KafkaEventTail> reportFeed;
    private final long expiryTimer;

    private CmServer(Vertx vertx, int port, OptionalInt managementPort, OptionalInt plainPort, Storage store, EventBackend events,
                     LiveStreams liveStreams, ConfigAdministration admin, ServerMetrics metrics, ReportWorker reports,
                     Optional<KafkaEventTail> reportFeed, long expiryTimer) {
        this.vertx = vertx;
        this.admin = admin;
        this.reports = reports;
        this.reportFeed = reportFeed;
        this.expiryTimer = expiryTimer;
        this.port = port;
        this.managementPort = managementPort;
        this.plainPort = plainPort;
        this.store = store;
        this.events = events;
        this.liveStreams = liveStreams;
        this.metrics = metrics;
    }

    /** Starts the server and returns once it listens; port 0 picks a free port. */
    public static CmServer start(ServerConfig config, Clock clock) {
        DataDirectory.prepare(config.dataDir());
        Storage store = openStorage(config, clock);
        ConfigRepository repository = openConfigRepository(config);
        ManagedSettings initial = ConfigAdministration.initial(config.managed(), config.admin().precedence(),
                repository, clock);
        EventBackend events = openEvents(config, clock);
        LiveStreams liveStreams = new LiveStreams(initial.streams(), events, config.delivery());
        AppliedConfig applied = new AppliedConfig(initial, config.throttle().requestLimits(),
                next -> liveStreams.reconfigure(next.streams()));
        ReportWorker reports = ReportWorker.start(config.reports(), config.timings(), config.dataDir(), clock);
        // The reports read the events where they are kept: as this node appends them, or every node's from Kafka.
        EventLog decided = config.events() == ServerConfig.EventsKind.KAFKA ? events : new AppendedEvents(events, reports);
        Optional<KafkaEventTail> reportFeed = config.kafka()
                .map(kafka -> KafkaEventTail.start(kafka, reports.positions(), reports));
        SessionService service = new SessionService(applied.decisions(), store.sessions(),
                new SessionIds(SessionIdKey.load(config)), config.timings(), clock, decided);
        ServerMetrics metrics = new ServerMetrics(service::activeSessions);
        ConnectionLimits connections = new ConnectionLimits(config.http(), clock);
        connections.bindTo(metrics.registry());
        events.bindTo(metrics.registry());
        reports.bindTo(metrics.registry());
        liveStreams.bindTo(metrics.registry());
        AccessTokens tokens = new AccessTokens(TokenKey.load(config), config.tokens().lifetime(), clock);
        LiveStreamHandler liveStream = new LiveStreamHandler(liveStreams, tokens);
        Optional<CertificateWatch> certificates = config.tls().map(CertificateWatch::open);
        RequestDecoder decoder = new RequestDecoder(config.limits());
        SessionHandlers sessions = new SessionHandlers(service, applied.catalog(), decoder, metrics, clock);
        ConfigAdministration admin = new ConfigAdministration(applied, repository, clock);
        AdminRoutes adminRoutes = new AdminRoutes(AdminTokens.load(config.admin(), config.dataDir()), admin, service,
                decoder, List.of(new ReportRoutes(reports, clock)::mount));

        Vertx vertx = Vertx.vertx();
        OperationsHandlers operations = new OperationsHandlers(metrics, readinessChecks(config, store, events, vertx));
        TokenEndpoint token = new TokenEndpoint(new StreamClients(config.tokens().clients()), tokens,
                vertx.createSharedWorkerExecutor("cm-secret-check", SECRET_CHECK_THREADS));
        int instances = Runtime.getRuntime().availableProcessors();
        int port = config.port() == 0 ? freePort() : config.port();
        OptionalInt managementPort = config.http().managementPort().stream()
                .map(configured -> configured == 0 ? freePort() : configured).findFirst();
        OptionalInt plainPort = config.tls().stream().flatMapToInt(tls -> tls.plainPort().stream())
                .map(configured -> configured == 0 ? freePort() : configured).findFirst();
        Function<Vertx, Router> routes = verticleVertx -> ApiRouter.create(verticleVertx, sessions, operations, liveStream,
                token, adminRoutes::mount, metrics, config.corsOrigins(), clock, config.http(), managementPort.isEmpty());
        try {
            connections.start(vertx);
            Future.await(vertx.deployVerticle(() -> new HttpVerticle(port, plainPort, config, routes, connections,
                            certificates),
                    new DeploymentOptions().setInstances(instances)));
            certificates.ifPresent(watch -> watch.start(vertx));
            if (managementPort.isPresent()) {
                Future.await(vertx.createHttpServer()
                        .requestHandler(ApiRouter.management(vertx, operations, metrics, clock, config.http()))
                        .listen(managementPort.getAsInt(), config.http().managementHost())
                        .recover(e -> Future.failedFuture(listenFailure("management-port", config.http().managementHost(),
                                managementPort.getAsInt(), e))));
            }
        } catch (Exception e) {
            vertx.close();
            admin.close();
            store.close();
            reportFeed.ifPresent(KafkaEventTail::close);
            reports.close();
            events.close();
            metrics.close();
            throw e instanceof StartupFailure failure ? failure : listenFailure(
                    plainPort.isPresent() ? "port or tls.plain-port" : "port", config.http().host(), port, e);
        }
        AtomicBoolean expiring = new AtomicBoolean();
        long expiryTimer = vertx.setPeriodic(EXPIRY_PERIOD_MILLIS, id -> expire(service, expiring));
        return new CmServer(vertx, port, managementPort, plainPort, store, events, liveStreams, admin, metrics, reports, reportFeed,
                expiryTimer);
    }

    /** Where admin changes are kept: beside the sessions (the data directory, or Redis for many nodes). */
    private static ConfigRepository openConfigRepository(ServerConfig config) {
        return switch (config.store()) {
            case EMBEDDED -> FileConfigRepository.open(config.dataDir());
            case REDIS -> RedisConfigRepository.open(config.redisUrl().orElseThrow());
        };
    }

    /** Readiness (SPEC §12): the store answers, the events can be kept (Kafka reachable), the data directory takes files. */
    private static List<ReadinessCheck> readinessChecks(ServerConfig config, Storage store, EventBackend events,
                                                        Vertx vertx) {
        return List.of(new ReadinessCheck("store", "STORE_UNAVAILABLE", store::ready),
                new ReadinessCheck("events", "EVENTS_UNAVAILABLE", () -> CompletableFuture.completedFuture(events.ready())),
                new ReadinessCheck("dataDir", "DATA_DIR_NOT_WRITABLE", () -> vertx.executeBlocking(
                        () -> DataDirectory.writable(config.dataDir()), false).toCompletionStage()));
    }

    /** E.g. "cannot listen on 0.0.0.0:8080: Address already in use (server.port, server.host)". */
    private static StartupFailure listenFailure(String setting, String host, int port, Throwable e) {
        return new StartupFailure("cannot listen on " + host + ":" + port + ": " + StartupFailure.describe(e)
                + " (server." + setting + ", server.host)");
    }

    /** One expiry pass at a time: a tick that finds the previous pass still running skips. */
    private static void expire(SessionService service, AtomicBoolean running) {
        if (!running.compareAndSet(false, true)) return;
        service.expireDue().whenComplete((expired, failure) -> {
            running.set(false);
            if (failure != null) LOG.warn("Expiry pass failed; the next one retries: {}", failure.toString());
        });
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

    /** The plain-HTTP port served beside HTTPS, when one is configured. */
    public OptionalInt plainPort() {
        return plainPort;
    }

    /** The management port, when one is configured. */
    public OptionalInt managementPort() {
        return managementPort;
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
            // Kafka mode: what the tail did not read yet is read from the saved positions at the next start.
            reportFeed.ifPresent(KafkaEventTail::close);
            reports.close();
            // Last: events appended while Vert.x stopped (expiries) are still stored.
            events.close();
            metrics.close();
        }
    }

    /**
     * One HTTP server per event loop on the same port (HTTPS when TLS is configured, then also a plain
     * one on the plain port when configured); Vert.x spreads connections over them.
     */
    private static final class HttpVerticle extends VerticleBase {
        private final int port;
        private final OptionalInt plainPort;
        private final ServerConfig config;
        private final Function<Vertx, Router> routes;
        private final ConnectionLimits connections;
        private final Optional<CertificateWatch> certificates;
        private final List<HttpServer> servers = new ArrayList<>();

        HttpVerticle(int port, OptionalInt plainPort, ServerConfig config, Function<Vertx, Router> routes,
                     ConnectionLimits connections, Optional<CertificateWatch> certificates) {
            this.port = port;
            this.plainPort = plainPort;
            this.config = config;
            this.routes = routes;
            this.connections = connections;
            this.certificates = certificates;
        }

        @Override
        public Future<?> start() {
            Router router = routes.apply(vertx);
            HttpServerOptions options = options();
            certificates.ifPresent(watch -> options.setSsl(true).setKeyCertOptions(watch.initialOptions()));
            HttpServer main = server(options, router);
            certificates.ifPresent(watch -> watch.serve(main));
            Future<?> listening = main.listen(port, config.http().host());
            if (plainPort.isPresent()) {
                HttpServer plain = server(options(), router);
                listening = listening.compose(done -> plain.listen(plainPort.getAsInt(), config.http().host()));
            }
            return listening;
        }

        private HttpServerOptions options() {
            return new HttpServerOptions()
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(16384)
                    // HTTP/1.1 only: every client of the spec speaks it, and the connection limits watch its codec.
                    .setHttp2ClearTextEnabled(false)
                    .setIdleTimeout((int) config.http().idleTimeout().toMillis())
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        }

        private HttpServer server(HttpServerOptions options, Router router) {
            HttpServer server = vertx.createHttpServer(options);
            server.connectionHandler(connections::accept);
            server.requestHandler(router);
            server.invalidRequestHandler(ApiRouter::invalidRequest);
            servers.add(server);
            return server;
        }

        /** Stops accepting; requests already read are answered before their connections close. */
        @Override
        public Future<?> stop() {
            return Future.all(servers.stream().map(server -> server.shutdown(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .toList());
        }
    }
}
