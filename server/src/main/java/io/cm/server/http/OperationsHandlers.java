package io.cm.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** {@code /health} and {@code /metrics}. */
public final class OperationsHandlers {

    private final ServerMetrics metrics;
    private final Supplier<CompletionStage<Boolean>> storeReady;

    /** @param storeReady asks the store whether it can serve now; answers within about a second */
    public OperationsHandlers(ServerMetrics metrics, Supplier<CompletionStage<Boolean>> storeReady) {
        this.metrics = metrics;
        this.storeReady = storeReady;
    }

    /**
     * Liveness (it answers) and readiness (the store answers): 200 when ready; 503, in the error
     * shape every error has, while the store is unreachable, so a load balancer stops sending here.
     */
    public void health(RoutingContext ctx) {
        Future.fromCompletionStage(storeReady.get(), ctx.vertx().getOrCreateContext())
                .otherwise(false)
                .onSuccess(ready -> {
                    ObjectNode body = ready ? EvaluationJson.MAPPER.createObjectNode().put("status", "UP")
                            : EvaluationJson.error("STORE_UNAVAILABLE", "The session store is unreachable",
                            Optional.empty());
                    body.putObject("checks").put("store", ready ? "UP" : "DOWN");
                    SessionHandlers.json(ctx.response().setStatusCode(ready ? 200 : 503), body);
                });
    }

    public void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
    }
}
