package io.cm.server.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.service.KillOutcome;
import io.cm.core.service.SessionService;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.server.config.ConfigProblem;
import io.cm.server.config.ManagedConfig;
import io.cm.server.http.ApiError;
import io.cm.server.http.EvaluationJson;
import io.cm.server.http.RequestDecoder;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * {@code /admin/v1} (SPEC §9): bearer-token guard (404 on every path while no token is configured,
 * 401 for a missing or wrong one), the configuration as a whole and item by item, the audit trail,
 * and the operator's actions on subjects. Other admin routes (reports) are mounted behind the same
 * guard. Configuration changes run on the admin thread; everything else on the event loop.
 */
public final class AdminRoutes {

    public static final String PREFIX = "/admin/v1";
    private static final String JSON = "application/json;charset=utf-8";
    /** A whole configuration of thousands of applications fits well below this. */
    private static final long BODY_LIMIT = 4L * 1024 * 1024;
    private static final String TOKEN = "cm.admin.token";
    private static final int DEFAULT_AUDIT_LIMIT = 100;
    private static final int MAX_AUDIT_LIMIT = 10_000;

    private final AdminTokens tokens;
    private final ConfigAdministration admin;
    private final SessionService sessions;
    private final RequestDecoder decoder;
    private final List<Consumer<Router>> more;

    /** @param more mounts further admin routes (reports) behind the same guard */
    public AdminRoutes(AdminTokens tokens, ConfigAdministration admin, SessionService sessions, RequestDecoder decoder,
                       List<Consumer<Router>> more) {
        this.tokens = tokens;
        this.admin = admin;
        this.sessions = sessions;
        this.decoder = decoder;
        this.more = List.copyOf(more);
    }

    public void mount(Router router) {
        router.route("/admin/*").handler(this::guard);
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
        router.route("/admin/*").handler(bodies);

        router.get(PREFIX + "/config").handler(this::getConfig);
        router.put(PREFIX + "/config").handler(this::putConfig);
        item(router, "/policies/:name", new PolicyItems());
        item(router, "/tenants/:tenantId", new TenantItems());
        item(router, "/tenants/:tenantId/applications/:appId", new ApplicationItems());
        item(router, "/streams/:name", new StreamItems());
        router.get(PREFIX + "/audit").handler(this::audit);
        router.get(PREFIX + "/subjects/:idp/:subject").handler(this::lookUp);
        router.delete(PREFIX + "/subjects/:idp/:subject").handler(this::endSubject);
        router.delete(PREFIX + "/subjects/:idp/:subject/sessions/:sessionId").handler(this::kill);
        more.forEach(mount -> mount.accept(router));
    }

    /** Off: every admin path is an unknown route. On: a known bearer token, whose name is kept for the audit. */
    private void guard(RoutingContext ctx) {
        if (!tokens.enabled()) {
            throw new ApiError(404, "ROUTE_NOT_FOUND", "No such resource: " + ctx.request().path());
        }
        String name = tokens.authenticate(ctx.request().getHeader("Authorization")).orElseThrow(() -> new ApiError(401,
                "UNAUTHORIZED", "A valid admin bearer token is required", Optional.empty(),
                Map.of("WWW-Authenticate", "Bearer realm=\"cm-admin\"")));
        ctx.put(TOKEN, name);
        ctx.next();
    }

    // ---- the configuration as a whole ---------------------------------------------------------

    private void getConfig(RoutingContext ctx) {
        ManagedConfig config = admin.current().config();
        json(ctx.response().putHeader("ETag", config.etag()).setStatusCode(200), config.toJson());
    }

    /** {@code If-Match} is required: without it a PUT would silently undo changes it never saw (428). */
    private void putConfig(RoutingContext ctx) {
        String ifMatch = ctx.request().getHeader("If-Match");
        if (ifMatch == null) {
            throw new ApiError(428, "PRECONDITION_REQUIRED", "PUT of the whole configuration needs If-Match with "
                    + "the ETag of the configuration it changes (GET " + PREFIX + "/config)");
        }
        ManagedConfig next = bound(body(ctx), ManagedConfig.class);
        changed(ctx, admin.change(token(ctx), "PUT " + PREFIX + "/config", Optional.of(ifMatch), old -> next),
                settings -> json(ctx.response().putHeader("ETag", settings.config().etag()).setStatusCode(200),
                        settings.config().toJson()));
    }

    // ---- item by item -------------------------------------------------------------------------

    /** How one kind of item is found, replaced and removed in a configuration. */
    private abstract static class Items<T> {
        final Class<T> type;

        Items(Class<T> type) {
            this.type = type;
        }

        abstract String what(RoutingContext ctx);

        abstract Optional<T> find(ManagedConfig config, RoutingContext ctx);

        /** {@code body} with the names the path gives (a body may leave them out, not contradict them). */
        abstract T named(RoutingContext ctx, T body, JsonNode raw, ManagedConfig config);

        abstract ManagedConfig with(ManagedConfig config, RoutingContext ctx, T item);

        abstract ManagedConfig without(ManagedConfig config, RoutingContext ctx);

        /** Why the item cannot be removed (409), if something still refers to it. */
        Optional<String> referrer(ManagedConfig config, RoutingContext ctx) {
            return Optional.empty();
        }
    }

    private <T> void item(Router router, String path, Items<T> items) {
        router.get(PREFIX + path).handler(ctx -> {
            ManagedConfig config = admin.current().config();
            T item = items.find(config, ctx).orElseThrow(() -> notFound(items.what(ctx)));
            json(ctx.response().putHeader("ETag", config.etag()).setStatusCode(200), toJson(item));
        });
        router.put(PREFIX + path).handler(ctx -> {
            JsonNode raw = body(ctx);
            T body = bound(raw, items.type);
            AtomicBoolean created = new AtomicBoolean();
            UnaryOperator<ManagedConfig> edit = config -> {
                created.set(items.find(config, ctx).isEmpty());
                return items.with(config, ctx, items.named(ctx, body, raw, config));
            };
            changed(ctx, admin.change(token(ctx), "PUT " + ctx.request().path(), ifMatch(ctx), edit), settings -> {
                T stored = items.find(settings.config(), ctx).orElseThrow();
                json(ctx.response().putHeader("ETag", settings.config().etag()).setStatusCode(created.get() ? 201 : 200),
                        toJson(stored));
            });
        });
        router.delete(PREFIX + path).handler(ctx -> {
            UnaryOperator<ManagedConfig> edit = config -> {
                if (items.find(config, ctx).isEmpty()) throw notFound(items.what(ctx));
                items.referrer(config, ctx).ifPresent(referrer -> {
                    throw new ApiError(409, "STILL_REFERENCED", items.what(ctx) + " cannot be removed: " + referrer);
                });
                return items.without(config, ctx);
            };
            changed(ctx, admin.change(token(ctx), "DELETE " + ctx.request().path(), ifMatch(ctx), edit),
                    settings -> ctx.response().putHeader("ETag", settings.config().etag()).setStatusCode(204).end());
        });
    }

    private static final class PolicyItems extends Items<ManagedConfig.PolicyEntry> {
        PolicyItems() {
            super(ManagedConfig.PolicyEntry.class);
        }

        String what(RoutingContext ctx) {
            return "policy " + ctx.pathParam("name");
        }

        Optional<ManagedConfig.PolicyEntry> find(ManagedConfig config, RoutingContext ctx) {
            return config.policy(ctx.pathParam("name"));
        }

        ManagedConfig.PolicyEntry named(RoutingContext ctx, ManagedConfig.PolicyEntry body, JsonNode raw,
                                        ManagedConfig config) {
            String name = sameName(ctx.pathParam("name"), body.name(), "name");
            return new ManagedConfig.PolicyEntry(name, body.mode(), body.target(), body.rules());
        }

        ManagedConfig with(ManagedConfig config, RoutingContext ctx, ManagedConfig.PolicyEntry policy) {
            return config.withPolicy(policy);
        }

        ManagedConfig without(ManagedConfig config, RoutingContext ctx) {
            return config.withoutPolicy(ctx.pathParam("name"));
        }

        @Override
        Optional<String> referrer(ManagedConfig config, RoutingContext ctx) {
            String name = ctx.pathParam("name");
            List<String> users = config.tenants().stream().flatMap(t -> t.applications().stream())
                    .filter(app -> app.policies().contains(name)).map(ManagedConfig.ApplicationEntry::id).toList();
            return users.isEmpty() ? Optional.empty()
                    : Optional.of("still referenced by application(s) " + String.join(", ", users));
        }
    }

    /** A tenant's body may leave out {@code applications}: its applications are then kept as they are. */
    private static final class TenantItems extends Items<ManagedConfig.Tenant> {
        TenantItems() {
            super(ManagedConfig.Tenant.class);
        }

        String what(RoutingContext ctx) {
            return "tenant " + ctx.pathParam("tenantId");
        }

        Optional<ManagedConfig.Tenant> find(ManagedConfig config, RoutingContext ctx) {
            return config.tenant(ctx.pathParam("tenantId"));
        }

        ManagedConfig.Tenant named(RoutingContext ctx, ManagedConfig.Tenant body, JsonNode raw, ManagedConfig config) {
            String id = sameName(ctx.pathParam("tenantId"), body.id(), "id");
            List<ManagedConfig.ApplicationEntry> applications = raw.has("applications") ? body.applications()
                    : config.tenant(id).map(ManagedConfig.Tenant::applications).orElse(List.of());
            return new ManagedConfig.Tenant(id, body.name(), applications);
        }

        ManagedConfig with(ManagedConfig config, RoutingContext ctx, ManagedConfig.Tenant tenant) {
            return config.withTenant(tenant);
        }

        ManagedConfig without(ManagedConfig config, RoutingContext ctx) {
            return config.withoutTenant(ctx.pathParam("tenantId"));
        }

        @Override
        Optional<String> referrer(ManagedConfig config, RoutingContext ctx) {
            String id = ctx.pathParam("tenantId");
            List<String> streams = config.streams().stream().filter(s -> id.equals(s.tenant()))
                    .map(ManagedConfig.StreamEntry::name).toList();
            return streams.isEmpty() ? Optional.empty()
                    : Optional.of("still carried by live stream(s) " + String.join(", ", streams));
        }
    }

    private static final class ApplicationItems extends Items<ManagedConfig.ApplicationEntry> {
        ApplicationItems() {
            super(ManagedConfig.ApplicationEntry.class);
        }

        String what(RoutingContext ctx) {
            return "application " + ctx.pathParam("appId") + " of tenant " + ctx.pathParam("tenantId");
        }

        Optional<ManagedConfig.ApplicationEntry> find(ManagedConfig config, RoutingContext ctx) {
            return config.tenant(ctx.pathParam("tenantId")).flatMap(t -> t.applications().stream()
                    .filter(app -> ctx.pathParam("appId").equals(app.id())).findFirst());
        }

        ManagedConfig.ApplicationEntry named(RoutingContext ctx, ManagedConfig.ApplicationEntry body, JsonNode raw,
                                             ManagedConfig config) {
            String id = sameName(ctx.pathParam("appId"), body.id(), "id");
            return new ManagedConfig.ApplicationEntry(id, body.name(), body.platform(), body.policies(), body.secret());
        }

        ManagedConfig with(ManagedConfig config, RoutingContext ctx, ManagedConfig.ApplicationEntry app) {
            return config.withTenant(tenant(config, ctx, apps -> replaced(apps, app)));
        }

        ManagedConfig without(ManagedConfig config, RoutingContext ctx) {
            String id = ctx.pathParam("appId");
            return config.withTenant(tenant(config, ctx, apps -> apps.stream().filter(a -> !id.equals(a.id())).toList()));
        }

        private static ManagedConfig.Tenant tenant(ManagedConfig config, RoutingContext ctx,
                                                   UnaryOperator<List<ManagedConfig.ApplicationEntry>> change) {
            String tenantId = ctx.pathParam("tenantId");
            ManagedConfig.Tenant tenant = config.tenant(tenantId).orElseThrow(() -> notFound("tenant " + tenantId));
            return new ManagedConfig.Tenant(tenant.id(), tenant.name(), change.apply(tenant.applications()));
        }

        private static List<ManagedConfig.ApplicationEntry> replaced(List<ManagedConfig.ApplicationEntry> apps,
                                                                     ManagedConfig.ApplicationEntry app) {
            boolean found = apps.stream().anyMatch(a -> app.id().equals(a.id()));
            if (!found) return java.util.stream.Stream.concat(apps.stream(), java.util.stream.Stream.of(app)).toList();
            return apps.stream().map(a -> app.id().equals(a.id()) ? app : a).toList();
        }
    }

    private static final class StreamItems extends Items<ManagedConfig.StreamEntry> {
        StreamItems() {
            super(ManagedConfig.StreamEntry.class);
        }

        String what(RoutingContext ctx) {
            return "stream " + ctx.pathParam("name");
        }

        Optional<ManagedConfig.StreamEntry> find(ManagedConfig config, RoutingContext ctx) {
            return config.stream(ctx.pathParam("name"));
        }

        ManagedConfig.StreamEntry named(RoutingContext ctx, ManagedConfig.StreamEntry body, JsonNode raw,
                                        ManagedConfig config) {
            return new ManagedConfig.StreamEntry(sameName(ctx.pathParam("name"), body.name(), "name"), body.tenant(),
                    body.tokens(), body.types());
        }

        ManagedConfig with(ManagedConfig config, RoutingContext ctx, ManagedConfig.StreamEntry stream) {
            return config.withStream(stream);
        }

        ManagedConfig without(ManagedConfig config, RoutingContext ctx) {
            return config.withoutStream(ctx.pathParam("name"));
        }
    }

    private static String sameName(String fromPath, String fromBody, String key) {
        if (fromBody != null && !fromBody.equals(fromPath)) {
            throw ApiError.invalid("The body's " + key + " '" + fromBody + "' differs from the path's '" + fromPath
                    + "' (leave it out, or rename by removing and adding)");
        }
        return fromPath;
    }

    // ---- the audit trail ----------------------------------------------------------------------

    private void audit(RoutingContext ctx) {
        int limit = limit(ctx.queryParam("limit"));
        respond(ctx, admin.audit(limit), entries -> {
            ObjectNode body = EvaluationJson.MAPPER.createObjectNode();
            body.set("entries", EvaluationJson.MAPPER.valueToTree(entries));
            json(ctx.response().setStatusCode(200), body);
        });
    }

    private static int limit(List<String> values) {
        if (values.isEmpty()) return DEFAULT_AUDIT_LIMIT;
        try {
            int limit = Integer.parseInt(values.getFirst());
            if (limit >= 1 && limit <= MAX_AUDIT_LIMIT) return limit;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.invalid("limit must be an integer in 1.." + MAX_AUDIT_LIMIT);
    }

    // ---- operator actions ---------------------------------------------------------------------

    private void lookUp(RoutingContext ctx) {
        SubjectKey subject = decoder.subject(ctx);
        respond(ctx, sessions.sessionsOf(subject), running -> {
            ObjectNode body = EvaluationJson.MAPPER.createObjectNode().put("idp", subject.idp())
                    .put("subject", subject.subject());
            ArrayNode list = body.putArray("sessions");
            Catalog catalog = admin.current().catalog();
            running.forEach(s -> list.add(session(s, catalog)));
            json(ctx.response().setStatusCode(200), body);
        });
    }

    private static ObjectNode session(Session s, Catalog catalog) {
        Optional<Application> app = catalog.application(s.applicationId());
        ObjectNode node = EvaluationJson.runningStream(s, app.map(Application::name).orElse(s.applicationId()));
        node.put("tenant", app.map(Application::tenant).orElse(null));
        node.put("lastHeartbeat", s.lastHeartbeat());
        node.put("expiresAt", s.expiresAt());
        return node;
    }

    private void kill(RoutingContext ctx) {
        SubjectKey subject = decoder.subject(ctx);
        String sessionId = decoder.sessionId(ctx);
        respond(ctx, sessions.kill(subject, sessionId).thenCompose(outcome -> switch (outcome) {
            case KillOutcome.Killed killed -> admin.record(token(ctx), "DELETE " + ctx.request().path(), List.of(
                    new AuditEntry.Change("session", subject.idp() + "/" + subject.subject() + "/" + sessionId,
                            "killed", null, null))).thenApply(v -> outcome);
            case KillOutcome.NotActive notActive -> java.util.concurrent.CompletableFuture.completedFuture(outcome);
        }), outcome -> {
            if (outcome instanceof KillOutcome.NotActive) {
                throw new ApiError(404, "SESSION_NOT_FOUND", "No active session " + sessionId + " for this subject");
            }
            ctx.response().setStatusCode(204).end();
        });
    }

    private void endSubject(RoutingContext ctx) {
        SubjectKey subject = decoder.subject(ctx);
        respond(ctx, sessions.endSubject(subject).thenCompose(ended -> admin.record(token(ctx),
                "DELETE " + ctx.request().path(), List.of(new AuditEntry.Change("subject",
                        subject.idp() + "/" + subject.subject(), "ended", null,
                        EvaluationJson.strings(ended.stream().map(Session::id).toList())))).thenApply(v -> ended)),
                ended -> {
                    ObjectNode body = EvaluationJson.MAPPER.createObjectNode();
                    body.set("endedSessions", EvaluationJson.strings(ended.stream().map(Session::id).toList()));
                    json(ctx.response().setStatusCode(200), body);
                });
    }

    // ---- shared -------------------------------------------------------------------------------

    private static String token(RoutingContext ctx) {
        return ctx.get(TOKEN);
    }

    private static Optional<String> ifMatch(RoutingContext ctx) {
        return Optional.ofNullable(ctx.request().getHeader("If-Match"));
    }

    private static ApiError notFound(String what) {
        return new ApiError(404, "NOT_FOUND", "No " + what);
    }

    private static JsonNode body(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Admin request bodies are application/json");
        }
        String text = ctx.body().asString(StandardCharsets.UTF_8.name());
        if (text == null || text.isBlank()) throw ApiError.invalid("A JSON body is required");
        try {
            return EvaluationJson.MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw ApiError.invalid("The body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static <T> T bound(JsonNode body, Class<T> type) {
        return ManagedConfig.bind(body, type).map(Function.identity(), problems -> {
            throw invalid(problems);
        });
    }

    private static ApiError invalid(List<ConfigProblem> problems) {
        String summary = problems.size() == 1 ? problems.getFirst().toString()
                : problems.size() + " problems, nothing was changed";
        return new ApiError(400, "INVALID_CONFIG", "Invalid configuration: " + summary, Optional.empty(), Map.of(),
                problems.stream().map(ConfigProblem::toString).toList());
    }

    private static JsonNode toJson(Object item) {
        return EvaluationJson.MAPPER.valueToTree(item);
    }

    private static void changed(RoutingContext ctx, CompletionStage<ChangeOutcome> change,
                                Consumer<io.cm.server.config.ManagedSettings> applied) {
        respond(ctx, change, outcome -> {
            switch (outcome) {
                case ChangeOutcome.Applied a -> applied.accept(a.settings());
                case ChangeOutcome.Stale stale -> throw new ApiError(412, "PRECONDITION_FAILED",
                        "The configuration changed since the ETag in If-Match; GET it again", Optional.empty(),
                        Map.of("ETag", stale.etag()));
                case ChangeOutcome.Invalid invalid -> throw invalid(invalid.problems());
            }
        });
    }

    /** Answers on the request's event loop once {@code stage} completes; any failure is answered by the router. */
    static <T> void respond(RoutingContext ctx, CompletionStage<T> stage, Consumer<T> respond) {
        Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext())
                .map(value -> {
                    respond.accept(value);
                    return value;
                })
                .onFailure(failure -> ctx.fail(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure));
    }

    public static void json(io.vertx.core.http.HttpServerResponse response, JsonNode body) {
        response.putHeader("Content-Type", JSON).end(body.toString());
    }
}
