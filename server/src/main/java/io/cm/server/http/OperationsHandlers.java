package io.cm.server.http;

import io.cm.server.metrics.ServerMetrics;
import io.vertx.ext.web.RoutingContext;

/** {@code /health} and {@code /metrics}. */
public final class OperationsHandlers {

    private final ServerMetrics metrics;

    public OperationsHandlers(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    /** The embedded store lives in this process: if this answers, the store is ready. */
    public void health(RoutingContext ctx) {
        var body = EvaluationJson.MAPPER.createObjectNode();
        body.put("status", "UP");
        body.putObject("checks").put("store", "UP");
        SessionHandlers.json(ctx.response().setStatusCode(200), body);
    }

    public void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
    }
}
