package io.cm.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static io.cm.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Calls to {@code /admin/v1} of a test server with one bearer token. */
final class AdminClient {

    static final String TOKEN = "test-admin-token-0123456789";

    private final TestServer server;
    private final String token;

    AdminClient(TestServer server, String token) {
        this.server = server;
        this.token = token;
    }

    AdminClient(TestServer server) {
        this(server, TOKEN);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.uri("/admin/v1" + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> get(String path) {
        return server.send(request(path).GET());
    }

    HttpResponse<String> put(String path, String json, String... headers) {
        HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) request.headers(headers);
        return server.send(request);
    }

    HttpResponse<String> delete(String path, String... headers) {
        HttpRequest.Builder request = request(path).DELETE();
        if (headers.length > 0) request.headers(headers);
        return server.send(request);
    }

    /** A GET that must answer 200; its JSON body. */
    JsonNode read(String path) {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return json(response);
    }

    String etag() {
        return get("/config").headers().firstValue("ETag").orElseThrow();
    }

    /** Sets the limit of a policy's single max-streams rule (and its mode) through the API; must succeed. */
    void limit(String policy, int limit, String mode) {
        HttpResponse<String> response = put("/policies/" + policy,
                "{\"mode\":\"" + mode + "\",\"rules\":[{\"type\":\"max-streams\",\"limit\":" + limit + "}]}");
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
    }
}
