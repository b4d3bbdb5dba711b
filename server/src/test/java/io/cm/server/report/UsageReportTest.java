package io.cm.server.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §10 end to end: a known sequence of starts, denials, stops, expiries, kills (X-Terminate and
 * operator) and a FIFO dismissal over five hours and two tenants, played against a server whose
 * clock the test moves; every figure of every row of the reports is what happened, and the CSV
 * holds the same rows as the JSON.
 */
class UsageReportTest {

    private static final String TOKEN = "report-test-admin-token";
    private static final String CONFIG = """
            server:
              admin-token: %s
            sessions:
              heartbeat-interval: 2h
              grace: 30m
            tenants:
              - id: acme
                applications:
                  - {id: acme-web, policies: [two]}
                  - {id: acme-fifo, policies: [latest]}
              - id: globex
                applications:
                  - {id: globex-tv, policies: [one]}
            policies:
              - {name: two, rules: [{type: max-streams, limit: 2}]}
              - {name: latest, mode: FIFO, rules: [{type: max-streams, limit: 1}]}
              - {name: one, rules: [{type: max-streams, limit: 1}]}
            """.formatted(TOKEN);
    private static final Instant DAY = Instant.parse("2026-01-01T00:00:00Z");

    private static TestServer server;

    @BeforeAll
    static void playTheDay() {
        server = TestServer.withConfig(CONFIG);
        at("00:00");
        String a1 = started(server, "acme-web", "/v2/sessions/idp/alice?platform=web");
        at("00:10");
        String a2 = started(server, "acme-web", "/v2/sessions/idp/alice?platform=tv");
        at("00:20");
        assertThat(server.post("acme-web", "/v2/sessions/idp/alice").statusCode()).isEqualTo(409);
        at("00:30");
        assertThat(server.delete("acme-web", "/v2/sessions/idp/alice/" + a1).statusCode()).isEqualTo(202);
        at("00:40");
        started(server, "globex-tv", "/v2/sessions/idp/bob");
        at("00:50");
        assertThat(server.post("globex-tv", "/v2/sessions/idp/bob").statusCode()).isEqualTo(409);
        at("01:00");
        started(server, "acme-fifo", "/v2/sessions/idp/carol");
        at("01:10");
        String f2 = started(server, "acme-fifo", "/v2/sessions/idp/carol");
        at("01:20");
        String code = server.get("acme-web", "/v2/runningStreams/idp/alice").body().replaceAll(".*\"terminationCode\":\"([^\"]+)\".*", "$1");
        String a3 = started(server, "acme-web", "/v2/sessions/idp/alice?platform=web", "X-Terminate", code);
        at("01:30");
        String g2 = started(server, "globex-tv", "/v2/sessions/idp/dave?platform=tv");
        at("02:00");
        assertThat(server.post("acme-web", "/v2/sessions/idp/alice/" + a3).statusCode()).isEqualTo(202);
        assertThat(server.post("acme-fifo", "/v2/sessions/idp/carol/" + f2).statusCode()).isEqualTo(202);
        at("02:30");
        assertThat(server.delete("globex-tv", "/v2/sessions/idp/dave/" + g2).statusCode()).isEqualTo(202);
        at("02:40");
        assertThat(admin("/subjects/idp/carol/sessions/" + f2, "DELETE").statusCode()).isEqualTo(204);
        at("03:15");
        awaitCompleted(3);
        at("04:40");
        awaitCompleted(4);
        assertThat(a2).isNotBlank();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void at(String time) {
        server.clock.set(Instant.parse("2026-01-01T" + time + ":00Z"));
    }

    private static String started(TestServer server, String app, String path, String... headers) {
        HttpRequest.Builder request = server.as(app, path).POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) request.headers(headers);
        HttpResponse<String> response = server.send(request);
        assertThat(response.statusCode()).as("%s %s", path, response.body()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    /**
     * Expiry runs on the server's own timer, at the clock's time: waits until the day's figures count
     * {@code count} sessions completed, moving the clock a second at a time meanwhile, so that the
     * reports' lateness (2 s) passes after the expiry, whenever the timer runs.
     */
    private static void awaitCompleted(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (report("usage?from=2026-01-01&granularity=day").at("/rows/0/completed-sessions").asInt() != count) {
            server.clock.advance(Duration.ofSeconds(1));
            assertThat(System.nanoTime()).as("sessions expired in time").isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static HttpResponse<String> admin(String path, String method) {
        return server.send(HttpRequest.newBuilder(server.uri("/admin/v1" + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static JsonNode report(String query) {
        HttpResponse<String> response = admin("/reports/" + query, "GET");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json;charset=utf-8");
        return json(response);
    }

    private static String hour(int h) {
        return DAY.plus(Duration.ofHours(h)).toString();
    }

    /** interval, group…, then the eight figures in the order of the report's columns. */
    private static List<String> rows(JsonNode report) {
        List<String> rows = new ArrayList<>();
        for (JsonNode row : report.path("rows")) {
            List<String> values = new ArrayList<>();
            row.fields().forEachRemaining(field -> values.add(field.getValue().isNull() ? "" : field.getValue().asText()));
            rows.add(String.join(",", values));
        }
        return rows;
    }

    @Test
    void everyHourlyRowByTenantHasEveryFigureOfWhatHappened() {
        JsonNode report = report("usage?from=2026-01-01T00:00:00Z&to=2026-01-01T05:00:00Z&granularity=hour&by=tenant");

        assertThat(report.path("report").asText()).isEqualTo("usage");
        assertThat(report.path("granularity").asText()).isEqualTo("hour");
        assertThat(report.path("by")).extracting(JsonNode::asText).containsExactly("tenant");
        assertThat(report.path("rows").get(0).fieldNames()).toIterable().containsExactly("interval", "tenant",
                "active-users", "active-sessions", "started-sessions", "completed-sessions", "failed-attempts",
                "dismissed-sessions", "killed-sessions", "peak-concurrent-sessions");
        assertThat(rows(report)).containsExactly(
                // interval, tenant, users, active, started, completed, failed, dismissed, killed, peak
                hour(0) + ",acme,1,2,2,1,1,0,0,2",
                hour(0) + ",globex,1,1,1,0,1,0,0,1",
                hour(1) + ",acme,2,4,3,0,0,1,1,2",
                hour(1) + ",globex,2,2,1,0,0,0,0,2",
                hour(2) + ",acme,2,2,0,0,0,0,1,2",
                hour(2) + ",globex,2,2,0,1,0,0,0,2",
                hour(3) + ",acme,1,1,0,0,0,0,0,1",
                hour(3) + ",globex,1,1,0,1,0,0,0,1",
                hour(4) + ",acme,1,1,0,1,0,0,0,1");
    }

    @Test
    void theDayByApplicationAndByPlatformHasEveryFigureOfWhatHappened() {
        assertThat(rows(report("usage?from=2026-01-01&to=2026-01-02&granularity=day&by=application"))).containsExactly(
                hour(0) + ",acme-fifo,1,2,2,0,0,1,1,1",
                hour(0) + ",acme-web,1,3,3,2,1,0,1,2",
                hour(0) + ",globex-tv,2,2,2,2,1,0,0,2");
        assertThat(rows(report("usage?from=2026-01-01&to=2026-01-02&granularity=day&by=platform"))).containsExactly(
                hour(0) + ",,2,3,3,1,2,1,1,2",
                hour(0) + ",tv,2,2,2,1,0,0,1,1",
                hour(0) + ",web,1,2,2,2,0,0,0,1");
    }

    @Test
    void theConcurrencyLevelsCountEachSubscriberOnceAtItsHighest() {
        JsonNode report = report("concurrency-level?from=2026-01-01T00:00:00Z&to=2026-01-01T05:00:00Z&granularity=hour");

        assertThat(rows(report)).containsExactly(
                // interval, level, subscribers: alice reached 2 in hour 0, bob 1
                hour(0) + ",1,1", hour(0) + ",2,1",
                hour(1) + ",1,4",
                hour(2) + ",1,4",
                hour(3) + ",1,2",
                hour(4) + ",1,1");
    }

    @Test
    void theCsvHoldsTheSameRowsAsTheJson() {
        for (String query : List.of("usage?from=2026-01-01&granularity=hour&by=tenant,application,platform",
                "usage?from=2026-01-01&granularity=minute&by=platform", "usage?from=2026-01-01&granularity=month",
                "concurrency-level?from=2026-01-01&granularity=hour&by=tenant")) {
            JsonNode json = report(query);
            HttpResponse<String> csv = admin("/reports/" + query + "&format=csv", "GET");
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv;charset=utf-8");

            Iterator<String> lines = csv.body().lines().iterator();
            List<String> header = new ArrayList<>();
            json.path("rows").get(0).fieldNames().forEachRemaining(header::add);
            assertThat(lines.next()).as(query).isEqualTo(String.join(",", header));
            List<String> csvRows = new ArrayList<>();
            lines.forEachRemaining(csvRows::add);
            assertThat(csvRows).as(query).isEqualTo(rows(json)).isNotEmpty();
        }
    }

    @Test
    void badQueriesAre400AndReportsNeedTheAdminToken() {
        for (String query : List.of("usage", "usage?from=yesterday", "usage?from=2026-01-01&granularity=week",
                "usage?from=2026-01-01&by=country", "usage?from=2026-01-01&format=xml",
                "usage?from=2026-01-02&to=2026-01-01", "usage?from=2000-01-01&granularity=minute",
                "concurrency-level?from=2026-01-01&from=2026-01-02")) {
            assertError(admin("/reports/" + query, "GET"), 400, "INVALID_REQUEST");
        }
        assertError(server.send(HttpRequest.newBuilder(server.uri("/admin/v1/reports/usage?from=2026-01-01")).GET()),
                401, "UNAUTHORIZED");
    }
}
