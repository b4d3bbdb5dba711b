package io.cm.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cm.server.config.StreamClientSettings;
import io.cm.server.token.AccessTokens;
import io.cm.server.token.IssuedToken;
import io.cm.server.token.StreamClients;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code POST /token}: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4). The client authenticates
 * with HTTP Basic ({@code client_id:client_secret}, each form-urlencoded, §2.3.1) or with
 * {@code client_id}/{@code client_secret} form fields, never both; {@code scope}, optional, names the
 * streams wanted (space-separated), all the client's streams by default. Errors are §5.2's.
 * The secret is checked on a small worker pool: a key derivation is too slow for an event loop.
 */
public final class TokenEndpoint implements Handler<RoutingContext> {

    static final String PATH = "/token";
    private static final String GRANT = "client_credentials";
    private static final Set<String> PARAMETERS = Set.of("grant_type", "client_id", "client_secret", "scope");

    private final StreamClients clients;
    private final AccessTokens tokens;
    private final WorkerExecutor secretChecks;

    public TokenEndpoint(StreamClients clients, AccessTokens tokens, WorkerExecutor secretChecks) {
        this.clients = clients;
        this.tokens = tokens;
        this.secretChecks = secretChecks;
    }

    private record Credentials(String id, String secret) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        try {
            MultiMap form = form(ctx);
            String grant = single(form, "grant_type").orElseThrow(() -> invalidRequest("grant_type is required"));
            Credentials credentials = credentials(ctx.request().getHeader("Authorization"), form);
            if (!grant.equals(GRANT)) {
                throw new OAuthError(400, "unsupported_grant_type", "Only the " + GRANT + " grant is supported, not '"
                        + grant + "'");
            }
            Optional<Set<String>> scope = single(form, "scope").map(TokenEndpoint::scope);
            secretChecks.executeBlocking(() -> clients.authenticate(credentials.id(), credentials.secret()), false)
                    .map(client -> issue(client.orElseThrow(TokenEndpoint::invalidClient), scope))
                    .onSuccess(body -> json(ctx.response().setStatusCode(200), body))
                    .onFailure(e -> answer(ctx, e));
        } catch (OAuthError e) {
            answer(ctx, e);
        }
    }

    private ObjectNode issue(StreamClientSettings client, Optional<Set<String>> scope) {
        if (client.streams().isEmpty()) {
            throw new OAuthError(400, "unauthorized_client", "Client " + client.id() + " may read no stream at present");
        }
        Set<String> streams = scope.orElse(client.streams());
        if (!client.streams().containsAll(streams)) {
            throw new OAuthError(400, "invalid_scope", "Client " + client.id() + " may read only "
                    + String.join(" ", new TreeSet<>(client.streams())));
        }
        IssuedToken token = tokens.issue(client.id(), streams);
        return EvaluationJson.MAPPER.createObjectNode()
                .put("access_token", token.value())
                .put("token_type", "bearer")
                .put("expires_in", token.expiresInSeconds())
                .put("scope", String.join(" ", new TreeSet<>(token.streams())));
    }

    private static MultiMap form(RoutingContext ctx) {
        String type = BodyTypes.mediaType(ctx.request().getHeader("Content-Type"));
        if (!BodyTypes.FORM.equals(type)) {
            throw invalidRequest("The body must be " + BodyTypes.FORM + (type == null ? "" : ", not " + type));
        }
        MultiMap form = ctx.request().formAttributes();
        for (String name : PARAMETERS) single(form, name);
        return form;
    }

    /** RFC 6749 §3.2: parameters sent twice are refused; empty ones count as absent. */
    private static Optional<String> single(MultiMap form, String name) {
        if (form.getAll(name).size() > 1) throw invalidRequest(name + " is given more than once");
        return Optional.ofNullable(form.get(name)).filter(value -> !value.isEmpty());
    }

    private static Credentials credentials(String authorization, MultiMap form) {
        Optional<String> formId = single(form, "client_id");
        Optional<String> formSecret = single(form, "client_secret");
        if (authorization != null) {
            if (formSecret.isPresent()) {
                throw invalidRequest("Authenticate with one method: HTTP Basic or client_secret in the body, not both");
            }
            Credentials basic = basic(authorization);
            if (formId.isPresent() && !formId.get().equals(basic.id())) {
                throw invalidRequest("client_id in the body differs from the one in HTTP Basic");
            }
            return basic;
        }
        if (formId.isEmpty() || formSecret.isEmpty()) throw invalidClient();
        return new Credentials(formId.get(), formSecret.get());
    }

    /** RFC 6749 §2.3.1: id and secret are each form-urlencoded, then joined by ':' and Base64-encoded. */
    private static Credentials basic(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) throw invalidClient();
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) throw invalidClient();
            return new Credentials(URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException malformed) {
            throw invalidClient();
        }
    }

    private static Set<String> scope(String text) {
        Set<String> streams = new LinkedHashSet<>(Arrays.asList(text.trim().split(" +")));
        if (streams.contains("")) throw new OAuthError(400, "invalid_scope", "scope must name one or more streams");
        return streams;
    }

    private static OAuthError invalidRequest(String description) {
        return new OAuthError(400, "invalid_request", description);
    }

    /** RFC 6749 §5.2: 401 with a challenge for the scheme the client may use. */
    private static OAuthError invalidClient() {
        return new OAuthError(401, "invalid_client", "Unknown client or wrong secret",
                Map.of("WWW-Authenticate", "Basic realm=\"cm\""));
    }

    private static void answer(RoutingContext ctx, Throwable failure) {
        if (!(failure instanceof OAuthError error)) {
            ctx.fail(failure);
            return;
        }
        HttpServerResponse response = ctx.response().setStatusCode(error.status());
        error.headers().forEach(response::putHeader);
        json(response, EvaluationJson.MAPPER.createObjectNode()
                .put("error", error.error())
                .put("error_description", error.getMessage()));
    }

    /** RFC 6749 §5.1: no-store (set for every answer by the router) and Pragma: no-cache. */
    private static void json(HttpServerResponse response, ObjectNode body) {
        response.putHeader("Pragma", "no-cache");
        SessionHandlers.json(response, body);
    }
}
