package io.cm.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;

import java.util.concurrent.TimeUnit;

/**
 * The HTTP ceiling of this machine: a Vert.x server that answers 202 with an empty body to any
 * request, deployed like {@code CmServer} (one verticle instance per core, same port), so that the
 * difference to our server is the cost of what our server does per request.
 */
public final class BareServer implements AutoCloseable {

    private final Vertx vertx;
    private final int port;

    private BareServer(Vertx vertx, int port) {
        this.vertx = vertx;
        this.port = port;
    }

    /** Returns once every instance listens on {@code port} (must be a fixed, free port). */
    public static BareServer start(int port) {
        Vertx vertx = Vertx.vertx();
        int instances = Runtime.getRuntime().availableProcessors();
        Future.await(vertx.deployVerticle(() -> new Responder(port), new DeploymentOptions().setInstances(instances)));
        return new BareServer(vertx, port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Standalone use: {@code java -cp cm-bench.jar io.cm.bench.BareServer [port]} (default 8090). */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
        start(port);
        System.out.println("bare 202 server listening on " + port);
    }

    private static final class Responder extends VerticleBase {
        private final int port;

        Responder(int port) {
            this.port = port;
        }

        @Override
        public Future<?> start() {
            // Ends the request without reading a body: none is sent by the load, so nothing is left unread.
            return vertx.createHttpServer()
                    .requestHandler(request -> request.response().setStatusCode(202).end())
                    .listen(port, "0.0.0.0");
        }
    }
}
