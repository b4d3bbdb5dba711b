package io.cm.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.core.store.StoreUnavailableException;
import io.cm.server.config.HttpSettings;
import io.cm.server.metrics.ServerMetrics;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * All routes of the server and the one error path they share: whatever fails — a handler's
 * {@link ApiError}, an unknown route, a wrong method, an oversized body, a bug — is answered with
 * the spec's JSON error shape. Every answer carries the request's id ({@link RequestIds}) and is
 * written to the access log ({@link AccessLog}).
 */
public final class ApiRouter {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);
    /** Metadata bodies are small: 64 keys of at most 64 + 1024 characters fit well below this. */
    private static final long BODY_LIMIT = 128 * 1024;
    /** A token request is a few short form fields. */
    private static final long TOKEN_BODY_LIMIT = 8 * 1024;
    private static final String LIVE_STREAM = "/api/1/stream/:streamName";
    private static final String ALLOWED = "GET, POST, DELETE, OPTIONS";

    private ApiRouter() {
    }

    /**
     * @param admin       mounts the admin API ({@code /admin/v1})
     * @param metricsHere whether {@code /metrics} is served here; false when a management port serves it
     */
    public static Router create(Vertx vertx, SessionHandlers sessions, OperationsHandlers operations,
                                Handler<RoutingContext> liveStream, Handler<RoutingContext> token,
                                Consumer<Router> admin, ServerMetrics metrics, List<String> corsOrigins, Clock clock,
                                HttpSettings http, boolean metricsHere) {
        Router router = common(vertx, metrics, clock, http.accessLog());
        FailedAuthThrottle failedAuth = new FailedAuthThrottle(http, clock);
        router.route("/v2/*").handler(cors(corsOrigins));
        router.route("/v2/*").handler(failedAuth);
        router.route("/v2/*").handler(BodyTypes::requireForm);
        router.route("/v2/*").handler(bodies());
        router.route(LIVE_STREAM).handler(failedAuth);
        // Admin tokens are guessed like application secrets: the same budget of failed attempts.
        router.route("/admin/*").handler(failedAuth);
        router.route(TokenEndpoint.PATH).handler(failedAuth);
        router.route(TokenEndpoint.PATH).handler(BodyHandler.create(false).setBodyLimit(TOKEN_BODY_LIMIT));

        timed(router, HttpMethod.GET, "/v2/metadata", sessions::requiredMetadata);
        timed(router, HttpMethod.POST, "/v2/sessions/:idp/:subject", sessions::start);
        timed(router, HttpMethod.POST, "/v2/sessions/:idp/:subject/:sessionId", sessions::heartbeat);
        timed(router, HttpMethod.DELETE, "/v2/sessions/:idp/:subject/:sessionId", sessions::stop);
        timed(router, HttpMethod.GET, "/v2/runningStreams/:idp/:subject", sessions::runningStreams);
        timed(router, HttpMethod.GET, LIVE_STREAM, liveStream);
        timed(router, HttpMethod.POST, TokenEndpoint.PATH, token);
        // Any other method: the live stream answers 405 itself, with Allow and its own error body (SPEC §6).
        router.route(LIVE_STREAM).handler(liveStream);
        operations(router, operations, metricsHere);
        admin.accept(router);
        ApiDocsRoutes.mount(router);
        WebRoutes.mount(router);
        return router;
    }

    /** The management port: health checks and {@code /metrics} only. */
    public static Router management(Vertx vertx, OperationsHandlers operations, ServerMetrics metrics, Clock clock,
                                    HttpSettings http) {
        Router router = common(vertx, metrics, clock, http.accessLog());
        operations(router, operations, true);
        return router;
    }

    /** What every answer of either port goes through: request id, headers, access log, the one error path. */
    private static Router common(Vertx vertx, ServerMetrics metrics, Clock clock, boolean accessLog) {
        Router router = Router.router(vertx);
        router.route().handler(RequestIds::assign);
        router.route().handler(ctx -> {
            ctx.response().putHeader("Cache-Control", "no-store");
            // On every answer, errors included: clients time their retries by Expires - Date (server clock).
            ctx.response().putHeader("Date", HttpDates.format(clock.millis()));
            ctx.next();
        });
        router.route().handler(new AccessLog(metrics, accessLog));
        router.route().failureHandler(ctx -> RequestIds.logging(ctx, () -> failure(ctx)));
        // Vert.x Web fails with a bare 400 before any route runs when the path or query cannot be decoded.
        router.errorHandler(400, ctx -> error(ctx, ApiError.invalid("Malformed request: the path or query string "
                + "is not valid percent-encoded UTF-8")));
        router.errorHandler(404, ctx -> error(ctx, new ApiError(404, "ROUTE_NOT_FOUND",
                "No such resource: " + ctx.request().path())));
        router.errorHandler(405, ctx -> error(ctx, new ApiError(405, "METHOD_NOT_ALLOWED",
                "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path())));
        return router;
    }

    /** Reads a body only when the request has one: most inits and heartbeats carry their metadata in the query. */
    private static Handler<RoutingContext> bodies() {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
        return ctx -> {
            MultiMap headers = ctx.request().headers();
            String length = headers.get(HttpHeaders.CONTENT_LENGTH);
            if (headers.contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.equals("0")) {
                body.handle(ctx);
            } else {
                ctx.next();
            }
        };
    }

    private static void operations(Router router, OperationsHandlers operations, boolean metrics) {
        timed(router, HttpMethod.GET, "/health", operations::ready);
        timed(router, HttpMethod.GET, "/health/live", operations::live);
        timed(router, HttpMethod.GET, "/health/ready", operations::ready);
        if (metrics) timed(router, HttpMethod.GET, "/metrics", operations::metrics);
    }

    private static CorsHandler cors(List<String> origins) {
        CorsHandler cors = origins.contains("*") ? CorsHandler.create() : CorsHandler.create().addOrigins(origins);
        return cors.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
                .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Terminate", RequestIds.HEADER))
                .exposedHeaders(Set.of("Location", "Date", "Expires", "Retry-After", RequestIds.HEADER));
    }

    /** A route whose requests are counted and timed under its pattern ({@link AccessLog}). */
    private static void timed(Router router, HttpMethod method, String path, Handler<RoutingContext> handler) {
        String name = method + " " + path;
        router.route(method, path).handler(ctx -> {
            ctx.put(AccessLog.ROUTE, name);
            handler.handle(ctx);
        });
    }

    private static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (!ctx.request().path().startsWith("/")) {
            // Vert.x Web fails with 404 when the request target is not a path: CONNECT host:port, OPTIONS *.
            notAPath(ctx);
        } else if (failure instanceof HttpClosedException) {
            LOG.debug("Client gone before the answer to {} {}", ctx.request().method(), ctx.request().path());
        } else if (failure instanceof ApiError error) {
            error(ctx, error);
        } else if (failure instanceof StoreUnavailableException unavailable) {
            // Logged at debug only: during an outage every request fails this way, and /health says why.
            LOG.debug("Store unavailable on {} {}", ctx.request().method(), ctx.request().path(), unavailable);
            error(ctx, new ApiError(503, "STORE_UNAVAILABLE", "The session store is unavailable; retry later",
                    Optional.empty(), Map.of("Retry-After", "1")));
        } else if (ctx.statusCode() == 413) {
            error(ctx, new ApiError(413, "PAYLOAD_TOO_LARGE", "Request body larger than " + BODY_LIMIT + " bytes"));
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            error(ctx, new ApiError(ctx.statusCode(), "INVALID_REQUEST", "The request could not be processed"));
        } else {
            LOG.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
            error(ctx, new ApiError(500, "INTERNAL_ERROR", "Internal error"));
        }
    }

    /**
     * A request target that is not a path: {@code OPTIONS *} asks what the server supports (200 and
     * {@code Allow}); {@code CONNECT} asks for a tunnel, which this server is not (405); anything
     * else is malformed (400).
     */
    private static void notAPath(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.OPTIONS && ctx.request().uri().equals("*")) {
            ctx.response().setStatusCode(200).putHeader("Allow", ALLOWED).putHeader("Cache-Control", "no-store").end();
        } else if (method == HttpMethod.CONNECT) {
            error(ctx, new ApiError(405, "METHOD_NOT_ALLOWED", "CONNECT is not supported: this server is not a proxy",
                    Optional.empty(), Map.of("Allow", ALLOWED)));
        } else {
            error(ctx, ApiError.invalid("The request target must be a path starting with /"));
        }
    }

    static void error(RoutingContext ctx, ApiError error) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        // Also for requests refused before the first route handler ran (which sets both from the server clock).
        ctx.response().putHeader("Cache-Control", "no-store");
        if (!ctx.response().headers().contains("Date")) {
            ctx.response().putHeader("Date", HttpDates.format(System.currentTimeMillis()));
        }
        ctx.response().setStatusCode(error.status());
        error.headers().forEach(ctx.response()::putHeader);
        String path = ctx.request().path();
        if (ErrorShapes.hasOAuthShape(path) && error.evaluation().isEmpty()) {
            ctx.response().putHeader("Content-Type", ErrorShapes.contentType(path))
                    .end(ErrorShapes.body(path, error.code(), error.getMessage()).toString());
            return;
        }
        ObjectNode body = EvaluationJson.error(error.code(), error.getMessage(), error.evaluation());
        if (!error.details().isEmpty()) ((ObjectNode) body.get("error")).set("details", EvaluationJson.strings(error.details()));
        SessionHandlers.json(ctx.response(), body);
    }

    /**
     * For requests Netty could not even parse (line or headers too long, bad syntax): no route ran,
     * so the shape is written here, and the connection is closed since its state is unknown.
     */
    public static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiError error;
        if (cause instanceof TooLongHttpLineException) {
            error = new ApiError(414, "URI_TOO_LONG", "Request line too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = new ApiError(431, "REQUEST_HEADER_TOO_LARGE", "Request headers too large");
        } else if (cause instanceof TooLongFrameException) {
            error = new ApiError(413, "PAYLOAD_TOO_LARGE", "Request too large");
        } else {
            error = ApiError.invalid("Malformed HTTP request");
        }
        request.response().setStatusCode(error.status())
                .putHeader("Cache-Control", "no-store")
                .putHeader("Connection", "close")
                .putHeader("Content-Type", "application/json;charset=utf-8")
                .end(EvaluationJson.error(error.code(), error.getMessage(), Optional.empty()).toString())
                .onComplete(done -> request.connection().close());
    }
}
