package io.cm.server.http;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CORS (SPEC §2): web players call the API from a browser; with the default configuration any
 * origin is allowed, {@code Authorization}, {@code Content-Type} and {@code X-Terminate} may be sent,
 * and {@code Location}, {@code Date}, {@code Expires}, {@code Retry-After} may be read.
 */
class CorsTest {

    private static final String ORIGIN = "https://player.example.com";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> tokens(HttpResponse<String> response, String header) {
        return response.headers().allValues(header).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(v -> v.trim().toLowerCase(Locale.ROOT))
                .filter(v -> !v.isEmpty())
                .toList();
    }

    private static void assertOriginAllowed(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValueSatisfying(origin -> assertThat(origin).isIn("*", ORIGIN));
    }

    private static HttpResponse<String> preflight(String path, String method, String headers) {
        return server.send(HttpRequest.newBuilder(server.uri(path))
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", headers)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    @Test
    void aPreflightForAnInitWithXTerminateIsAllowed() {
        HttpResponse<String> response = preflight("/v2/sessions/idp/web", "POST", "authorization,content-type,x-terminate");

        assertThat(response.statusCode()).isBetween(200, 204);
        assertOriginAllowed(response);
        assertThat(tokens(response, "Access-Control-Allow-Methods")).contains("post");
        assertThat(tokens(response, "Access-Control-Allow-Headers"))
                .contains("authorization", "content-type", "x-terminate");
    }

    @Test
    void aPreflightForAHeartbeatStopAndListingIsAllowed() {
        String id = started(server, "demo-app", "/v2/sessions/idp/web2?deviceId=d");
        HttpResponse<String> stop = preflight("/v2/sessions/idp/web2/" + id, "DELETE", "authorization");
        assertThat(stop.statusCode()).isBetween(200, 204);
        assertOriginAllowed(stop);
        assertThat(tokens(stop, "Access-Control-Allow-Methods")).contains("delete");

        HttpResponse<String> list = preflight("/v2/runningStreams/idp/web2", "GET", "authorization");
        assertThat(list.statusCode()).isBetween(200, 204);
        assertOriginAllowed(list);
        assertThat(tokens(list, "Access-Control-Allow-Headers")).contains("authorization");
    }

    @Test
    void anInitAnswerExposesLocationDateExpiresAndRetryAfter() {
        HttpResponse<String> response = server.send(server.as("demo-app", "/v2/sessions/idp/web3?deviceId=d")
                .header("Origin", ORIGIN).POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(202);
        assertOriginAllowed(response);
        assertThat(tokens(response, "Access-Control-Expose-Headers"))
                .contains("location", "date", "expires", "retry-after");
    }

    @Test
    void errorAnswersCarryTheCorsHeadersToo() {
        HttpResponse<String> response = server.send(server.as("no-such-app", "/v2/sessions/idp/web4?deviceId=d")
                .header("Origin", ORIGIN).POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(401);
        assertOriginAllowed(response);
        assertThat(tokens(response, "Access-Control-Expose-Headers"))
                .contains("location", "date", "expires", "retry-after");
    }

    @Test
    void aListingAnswerExposesExpires() {
        started(server, "demo-app", "/v2/sessions/idp/web5?deviceId=d");
        HttpResponse<String> response = server.send(server.as("demo-app", "/v2/runningStreams/idp/web5")
                .header("Origin", ORIGIN).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertOriginAllowed(response);
        assertThat(tokens(response, "Access-Control-Expose-Headers")).contains("expires");
    }
}
