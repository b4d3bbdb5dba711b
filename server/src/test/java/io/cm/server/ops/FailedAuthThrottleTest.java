package io.cm.server.ops;

import io.cm.server.TestServer;
import io.cm.server.http.Api;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §12: failed authentication is slowed per client address: past the limit (3 here), the
 * address gets 429 on every authenticated route until the window (1 min) ends, whatever it sends.
 */
class FailedAuthThrottleTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_HTTP_FAILED_AUTH_LIMIT", "3", "CM_HTTP_FAILED_AUTH_WINDOW", "1m"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void pastTheLimitAnAddressIsThrottledEvenWithGoodCredentialsUntilTheWindowEnds() throws IOException {
        for (String app : new String[]{"guess-1", "guess-2", "guess-3"}) {
            assertError(server.get(app, "/v2/metadata"), 401, "UNAUTHORIZED");
        }

        HttpResponse<String> throttled = server.get("demo-app", "/v2/metadata");
        assertError(throttled, 429, "THROTTLED");
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("60");
        HttpResponse<String> stream = server.send(HttpRequest.newBuilder(server.uri("/api/1/stream/demo"))
                .header("Authorization", "Bearer demo-token").header("Accept-Encoding", "gzip"));
        assertThat(stream.statusCode()).isEqualTo(429);
        assertThat(json(stream).path("error").asText()).isEqualTo("too_many_requests");
        assertThat(server.send(HttpRequest.newBuilder(server.uri("/health/live"))).statusCode())
                .as("unauthenticated routes are not throttled").isEqualTo(200);
        assertThat(fromAnotherAddress("/v2/metadata").status()).as("another address").isEqualTo(200);

        server.clock.advance(Duration.ofSeconds(61));
        assertThat(server.get("demo-app", "/v2/metadata").statusCode()).isEqualTo(200);
    }

    /** A request from 127.0.0.2, another client address on this machine. */
    private static Api.RawResponse fromAnotherAddress(String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), server.port(),
                InetAddress.getByName("127.0.0.2"), 0)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + TestServer.basic("demo-app", "")
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return new Api.RawResponse(Integer.parseInt(head.substring(9, 12)), Map.of(), head);
        }
    }
}
