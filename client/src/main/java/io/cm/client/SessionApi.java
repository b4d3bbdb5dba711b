package io.cm.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** The {@code /v2} endpoints (SPEC §2) as {@link Call}s: paths, Basic authentication, metadata as a form body. */
final class SessionApi {

    private final HttpClient http;
    private final URI base;
    private final String authorization;
    private final Duration requestTimeout;
    private final RetryPolicy calls;
    private final Scheduler scheduler;
    private final BooleanSupplier closed;

    /**
     * {@code calls}: the retry policy of the calls a user waits on; heartbeats name theirs. Once {@code closed}
     * says so, no call is made.
     */
    SessionApi(HttpClient http, URI base, String authorization, Duration requestTimeout, RetryPolicy calls,
               Scheduler scheduler, BooleanSupplier closed) {
        this.http = http;
        String url = base.toString();
        // Without a trailing slash, resolving "v2/…" would replace the base's last path segment.
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.authorization = authorization;
        this.requestTimeout = requestTimeout;
        this.calls = calls;
        this.scheduler = scheduler;
        this.closed = closed;
    }

    Call requiredMetadata() {
        return call(request("v2/metadata").GET(), true, calls);
    }

    Call start(StartRequest start) {
        HttpRequest.Builder request = withMetadata(request(sessions(start.idp(), start.subject())), start.metadata());
        if (!start.terminate().isEmpty()) request.header("X-Terminate", String.join(",", start.terminate()));
        return call(request, false, calls);
    }

    /** A heartbeat; with metadata, an update. */
    Call heartbeat(SessionKey session, Map<String, String> metadata, RetryPolicy policy) {
        return call(withMetadata(request(path(session)), metadata), true, policy);
    }

    Call stop(SessionKey session) {
        return call(request(path(session)).DELETE(), true, calls);
    }

    Call runningStreams(String idp, String subject) {
        String path = "v2/runningStreams/" + segment(idp) + "/" + segment(subject);
        return call(request(path).GET(), true, calls);
    }

    RetryPolicy calls() {
        return calls;
    }

    private Call call(HttpRequest.Builder request, boolean repeatable, RetryPolicy policy) {
        if (closed.getAsBoolean()) throw new IllegalStateException("the client is closed");
        return new Call(http, request.build(), repeatable, policy, scheduler);
    }

    private static String sessions(String idp, String subject) {
        return "v2/sessions/" + segment(idp) + "/" + segment(subject);
    }

    private static String path(SessionKey session) {
        return sessions(session.idp(), session.subject()) + "/" + segment(session.sessionId());
    }

    /** One path segment, percent-encoded ({@link URLEncoder} writes a space as '+', which a path keeps literally). */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(requestTimeout)
                .header("Authorization", authorization)
                .header("Accept", "application/json");
    }

    private static HttpRequest.Builder withMetadata(HttpRequest.Builder request, Map<String, String> metadata) {
        if (metadata.isEmpty()) return request.POST(HttpRequest.BodyPublishers.noBody());
        String form = metadata.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return request.header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
    }
}
