package io.cm.server.stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.server.events.GroupRefusal;
import io.cm.server.events.JoinRequest;
import io.cm.server.http.EvaluationJson;
import io.cm.server.http.OAuthError;
import io.cm.server.token.AccessTokens;
import io.cm.server.token.TokenCheck;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * {@code /api/1/stream/{streamName}} (SPEC §6). Checks come in this order, each with its status:
 * HTTP/1.1 (505), GET (405 with {@code Allow: GET}), bearer token (401 when missing, unknown or
 * expired; for an unknown stream, a token of no stream), known stream (404), a token that reads
 * another stream only (403), parameters (400), gzip accepted (406); then the stream's
 * group decides: the tenant ever had an event and the events are reachable (503 with
 * {@code Retry-After}), a free slot or a clientId to replace (409 with {@code Retry-After}); then
 * 200 and the stream. Errors have the stream's own body, {@code {"error","error_description"}}.
 */
public final class LiveStreamHandler implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStreamHandler.class);
    private static final String BEARER = "bearer ";

    private final LiveStreams streams;
    private final AccessTokens tokens;

    public LiveStreamHandler(LiveStreams streams, AccessTokens tokens) {
        this.streams = streams;
        this.tokens = tokens;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        try {
            if (request.version() != HttpVersion.HTTP_1_1) {
                throw new OAuthError(505, "http_version_not_supported", "The live stream is served over HTTP/1.1 only");
            }
            if (request.method() != HttpMethod.GET) {
                throw new OAuthError(405, "method_not_allowed", "Method " + request.method()
                        + " is not allowed on the live stream; use GET", Map.of("Allow", "GET"));
            }
            String name = ctx.pathParam("streamName");
            LiveStream stream = streams.stream(name).orElseThrow(() -> unknown(name, request.getHeader("Authorization")));
            authenticate(stream, request.getHeader("Authorization"));
            JoinRequest parameters = StreamRequest.of(request);
            if (!AcceptEncoding.acceptsGzip(request.getHeader("Accept-Encoding"))) {
                throw new OAuthError(406, "gzip_required", "The live stream is gzip-encoded: send Accept-Encoding: gzip");
            }
            Context context = Vertx.currentContext();
            LiveStreamConnection connection = new LiveStreamConnection(streams, stream, ctx.response(),
                    request.connection(), context);
            // The group may answer from another thread (Kafka): the answer comes back to this event loop.
            Future.fromCompletionStage(stream.group().join(parameters, connection), context)
                    .onSuccess(member -> connection.start(member, streams.delivery().keepalive()))
                    .onFailure(e -> failed(ctx, e));
        } catch (RuntimeException e) {
            failed(ctx, e);
        }
    }

    private static void failed(RoutingContext ctx, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof OAuthError error) {
            reject(ctx.response(), error);
        } else if (cause instanceof GroupRefusal refusal) {
            reject(ctx.response(), new OAuthError(refusal.status(), refusal.error(), refusal.getMessage(),
                    Map.of("Retry-After", String.valueOf(refusal.retryAfterSeconds()))));
        } else {
            LOG.error("Live stream request {} failed", ctx.request().uri(), cause);
            if (ctx.response().headWritten()) {
                ctx.response().reset();
            } else {
                reject(ctx.response(), new OAuthError(500, "internal_error", "Internal error"));
            }
        }
    }

    /** 401 before 404: without a token of some stream, a caller cannot probe which stream names exist. */
    private OAuthError unknown(String name, String authorization) {
        Optional<String> token = bearer(authorization);
        boolean known = token.isPresent() && (streams.all().stream().anyMatch(stream -> isStaticToken(stream, token.get()))
                || tokens.check(token.get()) instanceof TokenCheck.Valid);
        return known ? new OAuthError(404, "stream_not_found", "No live stream named " + name) : unauthorized(name);
    }

    /**
     * A static token of the stream, or an access token of the token endpoint: one that reads this stream
     * passes, one that reads others only is 403 (RFC 6750 §3.1), an expired one 401 saying so, so the
     * consumer asks for a new one.
     */
    private void authenticate(LiveStream stream, String authorization) {
        Optional<String> token = bearer(authorization);
        if (token.isEmpty()) throw unauthorized(stream.name());
        if (isStaticToken(stream, token.get())) return;
        switch (tokens.check(token.get())) {
            case TokenCheck.Valid valid when valid.streams().contains(stream.name()) -> {
            }
            case TokenCheck.Valid valid -> throw new OAuthError(403, "insufficient_scope", "The access token of client "
                    + valid.clientId() + " does not read stream " + stream.name(), Map.of("WWW-Authenticate",
                    "Bearer realm=\"cm\", error=\"insufficient_scope\", scope=\"" + stream.name() + "\""));
            case TokenCheck.Expired expired -> throw new OAuthError(401, "invalid_token", "The access token expired at "
                    + expired.at() + "; obtain a new one from POST /token", Map.of("WWW-Authenticate",
                    "Bearer realm=\"cm\", error=\"invalid_token\", error_description=\"The access token expired\""));
            case TokenCheck.Invalid invalid -> throw unauthorized(stream.name());
        }
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return Optional.of(authorization.substring(BEARER.length()).trim()).filter(token -> !token.isEmpty());
    }

    /** Compares with every token of the stream, in constant time, so timing tells nothing about them. */
    private static boolean isStaticToken(LiveStream stream, String token) {
        boolean known = false;
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        for (String configured : stream.tokens()) {
            known |= MessageDigest.isEqual(presented, configured.getBytes(StandardCharsets.UTF_8));
        }
        return known;
    }

    private static OAuthError unauthorized(String name) {
        return new OAuthError(401, "invalid_token", "A valid bearer token for stream " + name + " is required",
                Map.of("WWW-Authenticate", "Bearer realm=\"cm\""));
    }

    private static void reject(HttpServerResponse response, OAuthError error) {
        if (response.closed() || response.ended()) return;
        ObjectNode body = EvaluationJson.MAPPER.createObjectNode()
                .put("error", error.error())
                .put("error_description", error.getMessage());
        response.setStatusCode(error.status());
        error.headers().forEach(response::putHeader);
        response.putHeader("Content-Type", "application/json").end(body.toString());
    }
}
