package io.cm.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's own Vert.x (its event loops are not the servers', as in a separate process)
 * with one context per event loop. Work is spread over these contexts explicitly because contexts
 * made from a non-Vert.x thread ({@code getOrCreateContext()} on main) all land on one event loop.
 */
final class EventLoops implements AutoCloseable {

    private final Vertx vertx;
    private final List<Context> contexts;

    private EventLoops(Vertx vertx, List<Context> contexts) {
        this.vertx = vertx;
        this.contexts = List.copyOf(contexts);
    }

    static EventLoops start(int count) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(count));
        List<Context> contexts = new CopyOnWriteArrayList<>();
        // Verticle instances are placed round-robin on the event loops: one instance each, kept for its context.
        Future.await(vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                contexts.add(context);
                return Future.succeededFuture();
            }
        }, new DeploymentOptions().setInstances(count)));
        return new EventLoops(vertx, contexts);
    }

    Vertx vertx() {
        return vertx;
    }

    int size() {
        return contexts.size();
    }

    /** The context for the {@code i}-th loop: loops are dealt over the event loops in turn. */
    Context context(int i) {
        return contexts.get(i % contexts.size());
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
