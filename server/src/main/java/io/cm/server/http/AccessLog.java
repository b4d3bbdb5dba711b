package io.cm.server.http;

import io.cm.server.metrics.ServerMetrics;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One line per request on the logger {@code io.cm.access}, written when the response has ended (for
 * a live stream, when the connection ends), and the request's time to its response headers in
 * {@code cm_http_request_duration} by route and status. The path is logged without its query
 * string, which holds subscribers' metadata.
 */
final class AccessLog implements Handler<RoutingContext> {

    /** Where a route handler leaves its route's name (method and pattern) for the metrics. */
    static final String ROUTE = "cm.route";
    private static final String OTHER_ROUTE = "other";
    private static final Logger ACCESS = LoggerFactory.getLogger("io.cm.access");

    private final ServerMetrics metrics;

    AccessLog(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addHeadersEndHandler(v -> metrics.request(route(ctx), ctx.response().getStatusCode(),
                System.nanoTime() - start));
        ctx.addEndHandler(done -> RequestIds.logging(ctx, () -> ACCESS.info(LogFields.of("request")
                .add("method", ctx.request().method().name())
                .add("path", ctx.request().path())
                .add("status", ctx.response().getStatusCode())
                .add("bytes", ctx.response().bytesWritten())
                .add("ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .add("client", ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().hostAddress())
                .add("outcome", done.succeeded() ? "ended" : "reset")
                .toString())));
        ctx.next();
    }

    private static String route(RoutingContext ctx) {
        String route = ctx.get(ROUTE);
        return route == null ? OTHER_ROUTE : route;
    }
}
