package io.cm.server.http;

import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /health} and {@code /metrics} (SPEC §4): liveness as JSON, Prometheus text with decisions, latency, sessions. */
class OperationsTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).GET());
    }

    /** The value of the first sample of {@code metric} whose labels contain every one of {@code labels}. */
    private static Optional<Double> sample(String scrape, String metric, String... labels) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(metric + "{") || line.startsWith(metric + " "))) continue;
            String series = line.substring(0, line.lastIndexOf(' '));
            if (List.of(labels).stream().allMatch(series::contains)) {
                return Optional.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return Optional.empty();
    }

    @Test
    void healthIsUpAsJson() {
        HttpResponse<String> response = get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(json(response).path("status").asText()).isEqualTo("UP");
    }

    @Test
    void metricsCountDecisionsByOutcomeTimeRequestsAndGaugeActiveSessions() {
        for (int i = 1; i <= 3; i++) started(server, "demo-app", "/v2/sessions/idp/metered?deviceId=d" + i);
        assertThat(server.post("demo-app", "/v2/sessions/idp/metered?deviceId=d4").statusCode()).isEqualTo(409);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        String scrape = response.body();
        assertThat(sample(scrape, "cm_decisions_total", "outcome=\"permit\"", "operation=\"init\""))
                .as(scrape).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(3.0));
        assertThat(sample(scrape, "cm_decisions_total", "outcome=\"deny\"", "operation=\"init\""))
                .as(scrape).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1.0));
        assertThat(sample(scrape, "cm_http_request_duration_seconds_bucket",
                "route=\"POST /v2/sessions/:idp/:subject\"", "le=\"+Inf\""))
                .as(scrape).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(4.0));
        assertThat(scrape).containsPattern("(?m)^cm_http_request_duration_seconds_bucket\\{.*le=\"[0-9.eE+-]+\".*} ");
        assertThat(scrape).containsPattern("(?m)^cm_http_request_duration_seconds_count\\{");
        assertThat(sample(scrape, "cm_active_sessions"))
                .as(scrape).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(3.0));
    }

    @Test
    void metricsCountRequestsByRouteAndStatusAndIncludeJvmAndProcessMeters() {
        assertThat(server.post("no-such-app", "/v2/sessions/idp/counted?deviceId=d1").statusCode()).isEqualTo(401);

        String scrape = get("/metrics").body();

        assertThat(sample(scrape, "cm_http_request_duration_seconds_count",
                "route=\"POST /v2/sessions/:idp/:subject\"", "status=\"401\""))
                .as(scrape).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1.0));
        for (String meter : List.of("jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds", "process_files_open_files",
                "cm_http_connections")) {
            assertThat(scrape).as(meter).containsPattern("(?m)^" + meter + "[{ ]");
        }
    }

    @Test
    void theActiveSessionsGaugeFollowsStops() {
        String id = started(server, "demo-app", "/v2/sessions/idp/gauged?deviceId=d1");
        double before = sample(get("/metrics").body(), "cm_active_sessions").orElseThrow();
        assertThat(server.delete("demo-app", "/v2/sessions/idp/gauged/" + id).statusCode()).isEqualTo(202);
        double after = sample(get("/metrics").body(), "cm_active_sessions").orElseThrow();
        assertThat(after).isEqualTo(before - 1);
    }
}
