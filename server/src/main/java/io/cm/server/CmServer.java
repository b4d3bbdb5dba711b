package io.cm.server;

import io.cm.core.service.SessionService;
import io.cm.core.session.SessionIds;
import io.cm.server.config.ServerConfig;
import io.cm.server.store.embedded.DurableSessionStore;
import io.cm.server.http.ApiRouter;
import io.cm.server.http.OperationsHandlers;
import io.cm.server.http.RequestDecoder;
import io.cm.server.http.SessionHandlers;
import io.cm.server.metrics.ServerMetrics;
import io.cm.server.throttle.RequestThrottle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Wires the core to its adapters and serves HTTP; {@link #close()} stops it. */
public final class CmServer implements AutoCloseable {

    private static final long EXPIRY_PERIOD_MILLIS = 1000;

    private final Vertx vertx;
    private final int port;
    private final DurableSessionStore store;

    private CmServer(Vertx vertx, int port, DurableSessionStore store) {
        this.vertx = vertx;
        this.port = port;
        this.store = store;
    }

    /** Starts the server and returns once it listens; port 0 picks a free port. */
    public static CmServer start(ServerConfig config, Clock clock) {
        DurableSessionStore store = DurableSessionStore.open(config.dataDir(), config.timings(), clock.millis());
        // Session events are emitted by the core; until the live stream is wired they are not kept.
        SessionService service = new SessionService(config.catalog(), store,
                new SessionIds(SessionIdKey.load(config)), config.timings(), clock, event -> {
                });
        ServerMetrics metrics = new ServerMetrics(service::activeSessions);
        SessionHandlers sessions = new SessionHandlers(service, config.catalog(), new RequestDecoder(config.limits()),
                new RequestThrottle(config.throttle(), clock), metrics, clock);
        OperationsHandlers operations = new OperationsHandlers(metrics);

        Vertx vertx = Vertx.vertx();
        int instances = Runtime.getRuntime().availableProcessors();
        int port = config.port() == 0 ? freePort() : config.port();
        try {
            Future.await(vertx.deployVerticle(() -> new HttpVerticle(port, config, sessions, operations, metrics),
                    new DeploymentOptions().setInstances(instances)));
        } catch (Exception e) {
            vertx.close();
            store.close();
            throw new IllegalStateException("Could not listen on port " + config.port() + ": " + e.getMessage(), e);
        }
        vertx.setPeriodic(EXPIRY_PERIOD_MILLIS, id -> vertx.executeBlocking(service::expireDue, true));
        return new CmServer(vertx, port, store);
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
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Server did not stop cleanly", e);
        } finally {
            store.close();
        }
    }

    /** One HTTP server per event loop on the same port; Vert.x spreads connections over them. */
    private static final class HttpVerticle extends VerticleBase {
        private final int port;
        private final ServerConfig config;
        private final SessionHandlers sessions;
        private final OperationsHandlers operations;
        private final ServerMetrics metrics;

        HttpVerticle(int port, ServerConfig config, SessionHandlers sessions, OperationsHandlers operations,
                     ServerMetrics metrics) {
            this.port = port;
            this.config = config;
            this.sessions = sessions;
            this.operations = operations;
            this.metrics = metrics;
        }

        @Override
        public Future<?> start() {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(16384));
            server.requestHandler(ApiRouter.create(vertx, sessions, operations, metrics, config.corsOrigins()));
            server.invalidRequestHandler(ApiRouter::invalidRequest);
            return server.listen(port, "0.0.0.0");
        }
    }
}
