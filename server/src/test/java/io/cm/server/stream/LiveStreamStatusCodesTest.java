package io.cm.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cm.server.stream.StreamFixture.DEMO_APP;
import static io.cm.server.stream.StreamFixture.QUIET_APP;
import static io.cm.server.stream.StreamFixture.assertStreamError;
import static io.cm.server.stream.StreamFixture.start;
import static org.assertj.core.api.Assertions.assertThat;

/** Every status of the live stream's table (SPEC §6), with its error body and headers. */
class LiveStreamStatusCodesTest {

    private static TestServer server;

    @BeforeAll
    static void start_() {
        server = TestServer.withConfig(StreamFixture.config("", "demo", "full"));
        start(server, DEMO_APP, "first-visitor");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aConnectedStreamIs200GzipAndChunkedWithOneJsonEventPerCrlfRecord() {
        try (StreamClient stream = StreamClient.get(server, "/api/1/stream/demo")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(stream.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(stream.header("Content-Type")).isEqualTo("application/json");

            start(server, DEMO_APP, "status-200");
            JsonNode event = stream.events(1).getFirst();

            assertThat(event.path("type").asText()).isEqualTo("session.started");
            assertThat(event.path("subject").asText()).isEqualTo("status-200");
        }
    }

    @Test
    void maxConnectionsOutsideOneToEightOrABadResetIs400() {
        for (String query : List.of("maxConnections=0", "maxConnections=9", "maxConnections=two",
                "maxConnections=1.5", "maxConnections=1&maxConnections=2", "reset=oldest", "reset=")) {
            try (StreamClient refused = StreamClient.get(server, "/api/1/stream/demo?" + query)) {
                assertStreamError(refused, 400, "invalid_request");
            }
        }
    }

    @Test
    void aMissingOrUnknownBearerTokenIs401() {
        for (String authorization : List.of("Bearer wrong-token", "Basic ZGVtby1hcHA6", "Bearer ")) {
            try (StreamClient refused = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Authorization", authorization).open()) {
                assertStreamError(refused, 401, "invalid_token");
                assertThat(refused.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"cm\"");
            }
        }
        try (StreamClient refused = StreamClient.request(server, "/api/1/stream/demo").without("Authorization").open()) {
            assertStreamError(refused, 401, "invalid_token");
        }
    }

    @Test
    void anUnknownStreamIs404() {
        try (StreamClient refused = StreamClient.get(server, "/api/1/stream/nope")) {
            assertStreamError(refused, 404, "stream_not_found");
        }
    }

    @Test
    void withoutATokenOfAnyStreamAnUnknownStreamIs401LikeAKnownOneSoNamesCannotBeProbed() {
        for (String name : List.of("demo", "nope")) {
            try (StreamClient refused = StreamClient.request(server, "/api/1/stream/" + name)
                    .header("Authorization", "Bearer wrong-token").open()) {
                assertStreamError(refused, 401, "invalid_token");
            }
            try (StreamClient refused = StreamClient.request(server, "/api/1/stream/" + name).without("Authorization").open()) {
                assertStreamError(refused, 401, "invalid_token");
            }
        }
    }

    @Test
    void anyMethodButGetIs405WithAllowGet() {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            try (StreamClient refused = StreamClient.request(server, "/api/1/stream/demo").method(method)
                    .header("Content-Length", "0").open()) {
                assertStreamError(refused, 405, "method_not_allowed");
                assertThat(refused.header("Allow")).as(method).isEqualTo("GET");
            }
        }
    }

    @Test
    void aRequestThatDoesNotAcceptGzipIs406() {
        for (String acceptEncoding : List.of("identity", "deflate, br", "gzip;q=0", "*;q=0")) {
            try (StreamClient refused = StreamClient.request(server, "/api/1/stream/demo")
                    .header("Accept-Encoding", acceptEncoding).open()) {
                assertStreamError(refused, 406, "gzip_required");
            }
        }
        try (StreamClient refused = StreamClient.request(server, "/api/1/stream/demo").without("Accept-Encoding").open()) {
            assertStreamError(refused, 406, "gzip_required");
        }
    }

    @Test
    void aConnectionBeyondMaxConnectionsIs409WithRetryAfter() {
        try (StreamClient first = StreamClient.get(server, "/api/1/stream/full");
             StreamClient second = StreamClient.get(server, "/api/1/stream/full")) {
            assertThat(first.status()).isEqualTo(200);
            assertStreamError(second, 409, "too_many_connections");
            assertThat(second.header("Retry-After")).isEqualTo("10");
        }
    }

    @Test
    void aStreamWhoseTenantNeverHadAnEventIs503WithRetryAfterUntilItHasOne() {
        try (StreamClient refused = StreamClient.get(server, "/api/1/stream/quiet")) {
            assertStreamError(refused, 503, "no_events_yet");
            assertThat(refused.header("Retry-After")).isEqualTo("30");
        }

        start(server, QUIET_APP, "quiet-visitor");

        try (StreamClient connected = StreamClient.get(server, "/api/1/stream/quiet")) {
            assertThat(connected.status()).isEqualTo(200);
        }
    }

    @Test
    void anythingButHttp11Is505() {
        try (StreamClient refused = StreamClient.request(server, "/api/1/stream/demo").version("HTTP/1.0").open()) {
            assertStreamError(refused, 505, "http_version_not_supported");
        }
    }
}
