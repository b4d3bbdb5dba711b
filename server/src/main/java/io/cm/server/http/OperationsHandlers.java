package io.cm.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** {@code /health/live}, {@code /health/ready} (and {@code /health}, the same as ready) and {@code /metrics} (SPEC §4, §12). */
public final class OperationsHandlers {

    private final ServerMetrics metrics;
    private final List<ReadinessCheck> checks;

    public OperationsHandlers(ServerMetrics metrics, List<ReadinessCheck> checks) {
        this.metrics = metrics;
        this.checks = List.copyOf(checks);
    }

    /**
     * Liveness: the process answers HTTP. It asks nothing else, so a liveness probe never restarts a
     * node because Redis or Kafka is down; readiness is what takes it out of a load balancer then.
     */
    public void live(RoutingContext ctx) {
        SessionHandlers.json(ctx.response().setStatusCode(200),
                EvaluationJson.MAPPER.createObjectNode().put("status", "UP"));
    }

    /**
     * Readiness: 200 when every check passes; else 503, in the error shape every error has, with the
     * code of the first failing check. {@code checks} says UP or DOWN for each.
     */
    public void ready(RoutingContext ctx) {
        List<Future<Boolean>> probes = checks.stream()
                .map(check -> Future.fromCompletionStage(check.probe().get(), ctx.vertx().getOrCreateContext())
                        .otherwise(false))
                .toList();
        Future.join(probes).onComplete(done -> {
            List<ReadinessCheck> failing = IntStream.range(0, checks.size())
                    .filter(i -> !probes.get(i).result())
                    .mapToObj(checks::get)
                    .toList();
            ObjectNode body = failing.isEmpty() ? EvaluationJson.MAPPER.createObjectNode().put("status", "UP")
                    : EvaluationJson.error(failing.getFirst().failureCode(), "Not ready: "
                    + failing.stream().map(ReadinessCheck::name).collect(Collectors.joining(", ")) + " down",
                    Optional.empty());
            ObjectNode states = body.putObject("checks");
            checks.forEach(check -> states.put(check.name(), failing.contains(check) ? "DOWN" : "UP"));
            SessionHandlers.json(ctx.response().setStatusCode(failing.isEmpty() ? 200 : 503), body);
        });
    }

    public void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
    }
}
