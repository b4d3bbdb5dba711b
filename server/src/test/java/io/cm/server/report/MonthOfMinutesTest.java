package io.cm.server.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.report.Granularity;
import io.cm.core.report.UsageAggregator;
import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static io.cm.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §10: a month of minute-level figures, kept in the data directory, is answered whole, in JSON
 * and CSV. How long it takes is measured by {@code bench} ({@code UsageReportBenchmark}, figures in
 * the README), not here.
 */
class MonthOfMinutesTest {

    private static final String TOKEN = "month-of-minutes-admin-token";
    private static final Instant DECEMBER = Instant.parse("2025-12-01T00:00:00Z");
    private static final int MINUTES = 31 * 24 * 60;

    private static String config() {
        return """
                server:
                  admin-token: %s
                  store: embedded
                reports:
                  minutes: 31d
                tenants:
                  - id: demo
                    applications: [{id: demo-app, policies: [p]}]
                  - id: other
                    applications: [{id: other-app, policies: [p]}]
                policies:
                  - {name: p, rules: [{type: max-streams, limit: 3}]}
                """.formatted(TOKEN);
    }

    /** Every minute of December, one session of one of the two tenants runs from :00 to :40. */
    private static void december(Path dataDir) throws Exception {
        long day = Duration.ofDays(3650).toMillis();
        UsageAggregator aggregator = new UsageAggregator(Map.of(Granularity.MINUTE, day, Granularity.HOUR, day,
                Granularity.DAY, day, Granularity.MONTH, day), day);
        for (int minute = 0; minute < MINUTES; minute++) {
            long start = DECEMBER.plus(Duration.ofMinutes(minute)).toEpochMilli();
            String tenant = minute % 2 == 0 ? "demo" : "other";
            String subject = "viewer-" + minute % 97;
            aggregator.add(event(start, SessionEventType.STARTED, tenant, subject, "s" + minute));
            aggregator.add(event(start + 40_000, SessionEventType.STOPPED, tenant, subject, "s" + minute));
        }
        new ReportSnapshots(dataDir).save(aggregator, Map.of());
    }

    private static SessionEvent event(long at, SessionEventType type, String tenant, String subject, String id) {
        return new SessionEvent("h-" + id + type, at, type, tenant, tenant + "-app", tenant, "idp", subject,
                Optional.of(id), Optional.of("T"), Map.of("platform", "web"), Optional.empty(), Optional.empty());
    }

    private static HttpResponse<String> report(TestServer server, String query) {
        return server.send(HttpRequest.newBuilder(server.uri("/admin/v1/reports/" + query)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TOKEN).GET());
    }

    @Test
    void aMonthOfMinutesKeptInTheDataDirectoryIsAnsweredWhole() throws Exception {
        Path dataDir = Files.createTempDirectory("cm-month");
        december(dataDir);
        try (TestServer server = TestServer.withConfig(config(), dataDir)) {
            String query = "usage?from=2025-12-01&to=2026-01-01&granularity=minute";
            HttpResponse<String> response = report(server, query);
            HttpResponse<String> csv = report(server, query + "&format=csv");

            JsonNode rows = json(response).path("rows");
            assertThat(rows).hasSize(MINUTES);
            JsonNode last = rows.get(MINUTES - 1);
            assertThat(last.path("interval").asText()).isEqualTo("2025-12-31T23:59:00Z");
            assertThat(last.path("active-sessions").asInt()).isEqualTo(1);
            assertThat(last.path("started-sessions").asInt()).isEqualTo(1);
            assertThat(last.path("completed-sessions").asInt()).isEqualTo(1);
            assertThat(csv.body().lines().count()).isEqualTo(MINUTES + 1);
        }
    }
}
