package io.cm.server;

import io.cm.server.credentials.SecretHash;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Requests to {@code POST /token} as a consumer sends them, and the config lines of a stream client. */
public final class TokenRequests {

    /** Cheap enough for tests; the config carries the count, so the server needs no other setting. */
    private static final int TEST_ITERATIONS = 1_000;

    private TokenRequests() {
    }

    /** A {@code stream-clients} entry for {@code id} with {@code secret}, reading {@code streams} (YAML flow list). */
    public static String client(String id, String secret, String streams) {
        return "  - {id: " + id + ", secret: \"" + SecretHash.of(secret, TEST_ITERATIONS).encoded() + "\", streams: ["
                + streams + "]}\n";
    }

    /** {@code grant_type=client_credentials} with HTTP Basic. */
    public static HttpResponse<String> grant(TestServer server, String id, String secret) {
        return post(server, TestServer.basic(id, secret), "grant_type=client_credentials");
    }

    /** A form {@code body} with {@code authorization} (null: none). */
    public static HttpResponse<String> post(TestServer server, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) request.header("Authorization", authorization);
        return server.send(request);
    }

    /** The access token of a successful grant. */
    public static String accessToken(TestServer server, String id, String secret) {
        HttpResponse<String> response = grant(server, id, secret);
        if (response.statusCode() != 200) throw new AssertionError("token grant: " + response.statusCode() + " " + response.body());
        return TestServer.json(response).path("access_token").asText();
    }
}
