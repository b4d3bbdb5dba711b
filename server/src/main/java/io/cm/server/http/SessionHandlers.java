package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Evaluation;
import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.service.HeartbeatOutcome;
import io.cm.core.service.RunningStreams;
import io.cm.core.service.SessionService;
import io.cm.core.service.StartOutcome;
import io.cm.core.service.StopOutcome;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.server.metrics.ServerMetrics;
import io.cm.server.throttle.RequestThrottle;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** The {@code /v2} endpoints: decode, let the core decide, encode (SPEC §2–§3). */
public final class SessionHandlers {

    private static final String JSON = "application/json;charset=utf-8";

    private final SessionService service;
    private final Catalog catalog;
    private final BasicAuthenticator authenticator;
    private final RequestDecoder decoder;
    private final RequestThrottle throttle;
    private final ServerMetrics metrics;
    private final Clock clock;

    public SessionHandlers(SessionService service, Catalog catalog, RequestDecoder decoder, RequestThrottle throttle,
                           ServerMetrics metrics, Clock clock) {
        this.service = service;
        this.catalog = catalog;
        this.authenticator = new BasicAuthenticator(catalog);
        this.decoder = decoder;
        this.throttle = throttle;
        this.metrics = metrics;
        this.clock = clock;
    }

    private Application caller(RoutingContext ctx) {
        return authenticator.authenticate(ctx.request().getHeader("Authorization"));
    }

    public void requiredMetadata(RoutingContext ctx) {
        Application app = caller(ctx);
        json(ctx.response().setStatusCode(200), EvaluationJson.strings(service.requiredMetadata(app)));
    }

    public void start(RoutingContext ctx) {
        Application app = caller(ctx);
        SubjectKey subject = decoder.subject(ctx);
        Map<String, String> metadata = decoder.metadata(ctx);
        var terminate = decoder.terminationCodes(ctx);
        offload(ctx, () -> {
            throttled(throttle.tryInit(subject));
            return service.start(app, subject, metadata, terminate);
        }, outcome -> started(ctx, app, subject, outcome));
    }

    private void started(RoutingContext ctx, Application app, SubjectKey subject, StartOutcome outcome) {
        switch (outcome) {
            case StartOutcome.Started started -> {
                metrics.decision("init", "permit");
                ctx.response().setStatusCode(202)
                        .putHeader("Location", started.session().id())
                        .putHeader("Date", HttpDates.format(started.now()))
                        .putHeader("Expires", HttpDates.format(started.expires()))
                        .end();
            }
            case StartOutcome.Denied denied -> {
                metrics.decision("init", "deny");
                DenialLog.log(ctx, app, subject, denied.evaluation());
                throw new ApiError(409, "POLICY_VIOLATION", "Concurrent usage limit exceeded",
                        Optional.of(denied.evaluation()), Map.of());
            }
            case StartOutcome.MissingMetadata missing -> {
                metrics.decision("init", "missing_metadata");
                throw new ApiError(400, "METADATA_MISSING", "Required metadata missing: "
                        + String.join(", ", missing.missing()), Optional.of(missing.evaluation()), Map.of());
            }
        }
    }

    public void heartbeat(RoutingContext ctx) {
        Application app = caller(ctx);
        SubjectKey subject = decoder.subject(ctx);
        String sessionId = recognized(app, subject, decoder.sessionId(ctx));
        Map<String, String> metadata = decoder.metadata(ctx);
        offload(ctx, () -> {
            throttled(throttle.trySessionRequest(subject, sessionId));
            return service.heartbeat(app, subject, sessionId, metadata);
        }, outcome -> beaten(ctx, app, subject, outcome));
    }

    private void beaten(RoutingContext ctx, Application app, SubjectKey subject, HeartbeatOutcome outcome) {
        metrics.decision("heartbeat", outcomeName(outcome));
        switch (outcome) {
            case HeartbeatOutcome.Alive alive -> ctx.response().setStatusCode(202)
                    .putHeader("Date", HttpDates.format(alive.now()))
                    .putHeader("Expires", HttpDates.format(alive.expires()))
                    .end();
            case HeartbeatOutcome.Denied denied -> {
                DenialLog.log(ctx, app, subject, denied.evaluation());
                throw new ApiError(409, "POLICY_VIOLATION", "Concurrent usage limit exceeded; the session has ended",
                        Optional.of(denied.evaluation()), Map.of());
            }
            case HeartbeatOutcome.ImmutableMetadata immutable -> throw new ApiError(400, "METADATA_IMMUTABLE",
                    "Metadata key " + immutable.key() + " cannot change during a session");
            case HeartbeatOutcome.Unknown ignored -> throw sessionNotFound();
            case HeartbeatOutcome.Gone ignored -> gone(ctx);
            case HeartbeatOutcome.Killed killed -> throw terminated(killed.advice());
        }
    }

    public void stop(RoutingContext ctx) {
        Application app = caller(ctx);
        SubjectKey subject = decoder.subject(ctx);
        String sessionId = recognized(app, subject, decoder.sessionId(ctx));
        offload(ctx, () -> {
            throttled(throttle.trySessionRequest(subject, sessionId));
            return service.stop(app, subject, sessionId);
        }, outcome -> stopped(ctx, outcome));
    }

    private void stopped(RoutingContext ctx, StopOutcome outcome) {
        metrics.decision("stop", outcomeName(outcome));
        switch (outcome) {
            case StopOutcome.Stopped ignored -> ctx.response().setStatusCode(202).end();
            case HeartbeatOutcome.Unknown ignored -> throw sessionNotFound();
            case HeartbeatOutcome.Gone ignored -> gone(ctx);
            case HeartbeatOutcome.Killed killed -> throw terminated(killed.advice());
        }
    }

    public void runningStreams(RoutingContext ctx) {
        Application app = caller(ctx);
        SubjectKey subject = decoder.subject(ctx);
        offload(ctx, () -> service.runningStreams(app, subject), running -> listed(ctx, app, running));
    }

    private void listed(RoutingContext ctx, Application app, RunningStreams running) {
        ObjectNode body = EvaluationJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("runningStreams");
        for (Session s : running.visible()) {
            String name = catalog.application(s.applicationId()).map(Application::name).orElse(s.applicationId());
            list.add(EvaluationJson.runningStream(s, name));
        }
        body.put("otherStreams", running.otherStreams());
        HttpServerResponse response = ctx.response().setStatusCode(200)
                .putHeader("Date", HttpDates.format(clock.millis()));
        running.expires().ifPresent(at -> response.putHeader("Expires", HttpDates.format(at)));
        json(response, body);
    }

    /**
     * Runs {@code work} on a worker thread, since the store may wait on the network (Redis), then
     * {@code respond} on the request's event loop. Whatever either throws is answered by the router's
     * failure handler, as if thrown by the handler itself.
     */
    private static <T> void offload(RoutingContext ctx, Callable<T> work, Consumer<T> respond) {
        // Unordered: requests are independent; the service orders the ones of one subject itself.
        ctx.vertx().executeBlocking(work, false).onComplete(result -> {
            if (result.failed()) {
                ctx.fail(result.cause());
                return;
            }
            try {
                respond.accept(result.result());
            } catch (RuntimeException e) {
                ctx.fail(e);
            }
        });
    }

    private String recognized(Application app, SubjectKey subject, String sessionId) {
        if (!service.recognizes(app, subject, sessionId)) throw sessionNotFound();
        return sessionId;
    }

    private void throttled(OptionalLong acceptedFrom) {
        if (acceptedFrom.isEmpty()) return;
        long at = acceptedFrom.getAsLong();
        long seconds = Math.max(1, (at - clock.millis() + 999) / 1000);
        metrics.decision("any", "throttled");
        throw new ApiError(429, "THROTTLED", "Too many requests; retry after " + seconds + " s", Optional.empty(),
                Map.of("Expires", HttpDates.format(at), "Retry-After", Long.toString(seconds)));
    }

    private static ApiError sessionNotFound() {
        return new ApiError(404, "SESSION_NOT_FOUND", "No session with this id was issued to this application "
                + "for this subject");
    }

    private static ApiError terminated(Advice.RemoteTermination advice) {
        return new ApiError(410, "SESSION_TERMINATED", "The session was terminated by another session",
                Optional.of(Evaluation.deny(List.of(advice))), Map.of());
    }

    /** The deliberate bodiless 410 of a session that was stopped or expired. */
    private static void gone(RoutingContext ctx) {
        ctx.response().setStatusCode(410).end();
    }

    private static String outcomeName(Object outcome) {
        return switch (outcome) {
            case HeartbeatOutcome.Alive a -> "permit";
            case StopOutcome.Stopped s -> "stopped";
            case HeartbeatOutcome.Denied d -> "deny";
            case HeartbeatOutcome.ImmutableMetadata i -> "immutable_metadata";
            case HeartbeatOutcome.Unknown u -> "unknown";
            case HeartbeatOutcome.Gone g -> "gone";
            case HeartbeatOutcome.Killed k -> "killed";
            default -> throw new IllegalArgumentException("not an outcome: " + outcome);
        };
    }

    static void json(HttpServerResponse response, JsonNode body) {
        response.putHeader("Content-Type", JSON).end(body.toString());
    }
}
