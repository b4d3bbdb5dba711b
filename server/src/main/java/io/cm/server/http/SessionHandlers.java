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
import io.cm.core.service.Throttled;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.server.metrics.ServerMetrics;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The {@code /v2} endpoints: decode, let the core decide, encode (SPEC §2–§3). */
public final class SessionHandlers {

    private static final String JSON = "application/json;charset=utf-8";

    private final SessionService service;
    /** The catalog in force: read at each use, so the admin API's changes apply to the next request. */
    private final Supplier<Catalog> catalog;
    private final BasicAuthenticator authenticator;
    private final RequestDecoder decoder;
    private final ServerMetrics metrics;
    private final Clock clock;

    public SessionHandlers(SessionService service, Supplier<Catalog> catalog, RequestDecoder decoder, ServerMetrics metrics,
                           Clock clock) {
        this.service = service;
        this.catalog = catalog;
        this.authenticator = new BasicAuthenticator(catalog);
        this.decoder = decoder;
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
        onEventLoop(ctx, service.start(app, subject, metadata, terminate), outcome -> started(ctx, app, subject, outcome));
    }

    private void started(RoutingContext ctx, Application app, SubjectKey subject, StartOutcome outcome) {
        switch (outcome) {
            case StartOutcome.Started started -> {
                metrics.decision("init", "permit", app.id(), ServerMetrics.NO_POLICY);
                ctx.response().setStatusCode(202)
                        .putHeader("Location", started.session().id())
                        .putHeader("Date", HttpDates.format(started.now()))
                        .putHeader("Expires", HttpDates.format(started.expires()))
                        .end();
            }
            case StartOutcome.Denied denied -> {
                metrics.decision("init", "deny", app.id(), policyOf(denied.evaluation()));
                DenialLog.log(ctx, app, subject, denied.evaluation());
                throw new ApiError(409, "POLICY_VIOLATION", "Concurrent usage limit exceeded",
                        Optional.of(denied.evaluation()), Map.of());
            }
            case StartOutcome.MissingMetadata missing -> {
                metrics.decision("init", "missing_metadata", app.id(), ServerMetrics.NO_POLICY);
                throw new ApiError(400, "METADATA_MISSING", "Required metadata missing: "
                        + String.join(", ", missing.missing()), Optional.of(missing.evaluation()), Map.of());
            }
            case Throttled throttled -> throw throttled(app, "init", throttled);
        }
    }

    public void heartbeat(RoutingContext ctx) {
        Application app = caller(ctx);
        SubjectKey subject = decoder.subject(ctx);
        String sessionId = decoder.sessionId(ctx);
        Map<String, String> metadata = decoder.metadata(ctx);
        onEventLoop(ctx, service.heartbeat(app, subject, sessionId, metadata),
                outcome -> beaten(ctx, app, subject, outcome));
    }

    private void beaten(RoutingContext ctx, Application app, SubjectKey subject, HeartbeatOutcome outcome) {
        switch (outcome) {
            case HeartbeatOutcome.Alive alive -> {
                metrics.decision("heartbeat", "permit", app.id(), ServerMetrics.NO_POLICY);
                ctx.response().setStatusCode(202)
                        .putHeader("Date", HttpDates.format(alive.now()))
                        .putHeader("Expires", HttpDates.format(alive.expires()))
                        .end();
            }
            case HeartbeatOutcome.Denied denied -> {
                metrics.decision("heartbeat", "deny", app.id(), policyOf(denied.evaluation()));
                DenialLog.log(ctx, app, subject, denied.evaluation());
                throw new ApiError(409, "POLICY_VIOLATION", "Concurrent usage limit exceeded; the session has ended",
                        Optional.of(denied.evaluation()), Map.of());
            }
            case HeartbeatOutcome.ImmutableMetadata immutable -> {
                metrics.decision("heartbeat", "immutable_metadata", app.id(), ServerMetrics.NO_POLICY);
                throw new ApiError(400, "METADATA_IMMUTABLE",
                        "Metadata key " + immutable.key() + " cannot change during a session");
            }
            case HeartbeatOutcome.Unknown ignored -> throw sessionNotFound(app, "heartbeat");
            case HeartbeatOutcome.Gone ignored -> gone(ctx, app, "heartbeat");
            case HeartbeatOutcome.Killed killed -> throw terminated(app, "heartbeat", killed.advice());
            case Throttled throttled -> throw throttled(app, "heartbeat", throttled);
        }
    }

    public void stop(RoutingContext ctx) {
        Application app = caller(ctx);
        SubjectKey subject = decoder.subject(ctx);
        String sessionId = decoder.sessionId(ctx);
        onEventLoop(ctx, service.stop(app, subject, sessionId), outcome -> stopped(ctx, app, outcome));
    }

    private void stopped(RoutingContext ctx, Application app, StopOutcome outcome) {
        switch (outcome) {
            case StopOutcome.Stopped ignored -> {
                metrics.decision("stop", "stopped", app.id(), ServerMetrics.NO_POLICY);
                ctx.response().setStatusCode(202).end();
            }
            case HeartbeatOutcome.Unknown ignored -> throw sessionNotFound(app, "stop");
            case HeartbeatOutcome.Gone ignored -> gone(ctx, app, "stop");
            case HeartbeatOutcome.Killed killed -> throw terminated(app, "stop", killed.advice());
            case Throttled throttled -> throw throttled(app, "stop", throttled);
        }
    }

    public void runningStreams(RoutingContext ctx) {
        Application app = caller(ctx);
        SubjectKey subject = decoder.subject(ctx);
        onEventLoop(ctx, service.runningStreams(app, subject), running -> listed(ctx, app, running));
    }

    private void listed(RoutingContext ctx, Application app, RunningStreams running) {
        ObjectNode body = EvaluationJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("runningStreams");
        Catalog current = catalog.get();
        for (Session s : running.visible()) {
            String name = current.application(s.applicationId()).map(Application::name).orElse(s.applicationId());
            list.add(EvaluationJson.runningStream(s, name));
        }
        body.put("otherStreams", running.otherStreams());
        HttpServerResponse response = ctx.response().setStatusCode(200)
                .putHeader("Date", HttpDates.format(clock.millis()));
        running.expires().ifPresent(at -> response.putHeader("Expires", HttpDates.format(at)));
        json(response, body);
    }

    /**
     * Runs {@code respond} on the request's event loop once {@code stage} completes: right away when
     * it already has (a decision in memory), else by a hop back to the request's context. Whatever
     * the stage fails with or {@code respond} throws is answered by the router's failure handler.
     */
    private static <T> void onEventLoop(RoutingContext ctx, CompletionStage<T> stage, Consumer<T> respond) {
        Thread eventLoop = Thread.currentThread();
        Context context = ctx.vertx().getOrCreateContext();
        stage.whenComplete((value, failure) -> {
            if (Thread.currentThread() == eventLoop) {
                respond(ctx, value, failure, respond);
            } else {
                context.runOnContext(v -> respond(ctx, value, failure, respond));
            }
        });
    }

    private static <T> void respond(RoutingContext ctx, T value, Throwable failure, Consumer<T> respond) {
        if (failure != null) {
            ctx.fail(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
            return;
        }
        try {
            respond.accept(value);
        } catch (RuntimeException e) {
            ctx.fail(e);
        }
    }

    /** The policy a denial is counted under: that of its first broken rule. */
    private static String policyOf(Evaluation evaluation) {
        return evaluation.advice().stream().filter(a -> a instanceof Advice.RuleViolation)
                .map(a -> ((Advice.RuleViolation) a).policy()).findFirst().orElse(ServerMetrics.NO_POLICY);
    }

    private ApiError throttled(Application app, String operation, Throttled throttled) {
        metrics.decision(operation, "throttled", app.id(), ServerMetrics.NO_POLICY);
        long seconds = Math.max(1, (throttled.acceptedFrom() - clock.millis() + 999) / 1000);
        return new ApiError(429, "THROTTLED", "Too many requests; retry after " + seconds + " s", Optional.empty(),
                Map.of("Expires", HttpDates.format(throttled.acceptedFrom()), "Retry-After", Long.toString(seconds)));
    }

    private ApiError sessionNotFound(Application app, String operation) {
        metrics.decision(operation, "unknown", app.id(), ServerMetrics.NO_POLICY);
        return new ApiError(404, "SESSION_NOT_FOUND", "No session with this id was issued to this application "
                + "for this subject");
    }

    private ApiError terminated(Application app, String operation, Advice.RemoteTermination advice) {
        metrics.decision(operation, "killed", app.id(), ServerMetrics.NO_POLICY);
        String by = advice.terminatedBy().equals(Advice.RemoteTermination.OPERATOR) ? "an operator" : "another session";
        return new ApiError(410, "SESSION_TERMINATED", "The session was terminated by " + by,
                Optional.of(Evaluation.deny(List.of(advice))), Map.of());
    }

    /** The deliberate bodiless 410 of a session that was stopped or expired. */
    private void gone(RoutingContext ctx, Application app, String operation) {
        metrics.decision(operation, "gone", app.id(), ServerMetrics.NO_POLICY);
        ctx.response().setStatusCode(410).end();
    }

    static void json(HttpServerResponse response, JsonNode body) {
        response.putHeader("Content-Type", JSON).end(body.toString());
    }
}
