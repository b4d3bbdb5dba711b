package io.cm.server.ops;

import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SPEC §12: liveness and readiness, the bind address, and the optional management port. */
class OperationsEndpointsTest {

    private static HttpResponse<String> get(TestServer server, String path) {
        return server.send(HttpRequest.newBuilder(server.uri(path)));
    }

    @Test
    void livenessAndReadinessAreUpWithTheChecksOfReadiness() {
        try (TestServer server = TestServer.demo()) {
            HttpResponse<String> live = get(server, "/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(json(live).path("status").asText()).isEqualTo("UP");

            for (String ready : new String[]{"/health/ready", "/health"}) {
                HttpResponse<String> response = get(server, ready);
                assertThat(response.statusCode()).as(ready).isEqualTo(200);
                assertThat(json(response).path("checks").path("store").asText()).isEqualTo("UP");
                assertThat(json(response).path("checks").path("dataDir").asText()).isEqualTo("UP");
            }
        }
    }

    @Test
    void aDataDirectoryThatTakesNoMoreFilesMakesTheNodeNotReadyButStillLive() throws IOException {
        try (TestServer server = TestServer.demo()) {
            deleteRecursively(server.dataDir());

            HttpResponse<String> ready = get(server, "/health/ready");
            assertError(ready, 503, "DATA_DIR_NOT_WRITABLE");
            assertThat(json(ready).path("checks").path("dataDir").asText()).isEqualTo("DOWN");
            assertThat(json(ready).path("checks").path("store").asText()).isEqualTo("UP");
            assertThat(get(server, "/health").statusCode()).isEqualTo(503);
            assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withAManagementPortMetricsMoveThereAndHealthIsServedOnBoth() {
        try (TestServer server = TestServer.demo(Map.of("CM_MANAGEMENT_PORT", "0", "CM_MANAGEMENT_HOST", "127.0.0.1"))) {
            assertError(get(server, "/metrics"), 404, "ROUTE_NOT_FOUND");
            HttpResponse<String> metrics = server.send(HttpRequest.newBuilder(server.managementUri("/metrics")));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("cm_active_sessions");
            assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
            for (String path : new String[]{"/health/live", "/health/ready", "/health"}) {
                assertThat(server.send(HttpRequest.newBuilder(server.managementUri(path))).statusCode()).isEqualTo(200);
            }
            assertThat(server.send(HttpRequest.newBuilder(server.managementUri("/v2/metadata"))).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void theServerListensOnTheConfiguredHostOnly() throws IOException {
        try (TestServer server = TestServer.demo(Map.of("CM_HOST", "127.0.0.2"))) {
            try (Socket bound = new Socket("127.0.0.2", server.port())) {
                assertThat(bound.isConnected()).isTrue();
            }
            assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close()).isInstanceOf(ConnectException.class);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        }
    }
}
