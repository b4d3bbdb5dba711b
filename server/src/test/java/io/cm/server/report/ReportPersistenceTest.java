package io.cm.server.report;

import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §10: report history survives a restart (the figures are kept in the data directory). */
class ReportPersistenceTest {

    private static final Map<String, String> ENV = Map.of("CM_ADMIN_TOKEN", "persistence-admin-token",
            "CM_STORE", "embedded");

    private static String hourly(TestServer server) {
        return server.send(HttpRequest.newBuilder(server.uri("/admin/v1/reports/usage?from=2026-01-01&format=csv"))
                .header("Authorization", "Bearer persistence-admin-token").GET()).body();
    }

    @Test
    void theFiguresOfBeforeARestartAreStillThereAfterIt() {
        Path dataDir;
        String before;
        try (TestServer server = TestServer.demo(ENV)) {
            dataDir = server.dataDir();
            String id = started(server, "demo-app", "/v2/sessions/idp/alice");
            server.clock.advance(Duration.ofMinutes(5));
            server.delete("demo-app", "/v2/sessions/idp/alice/" + id);
            assertThat(server.post("demo-app-2", "/v2/sessions/idp/alice").statusCode()).isEqualTo(400);
            server.clock.advance(Duration.ofSeconds(3));
            before = hourly(server);
            assertThat(before).contains("2026-01-01T00:00:00Z,1,1,1,1,0,0,0,1");
        }
        try (TestServer restarted = TestServer.demo(ENV, dataDir)) {
            restarted.clock.advance(Duration.ofMinutes(5).plusSeconds(3));
            assertThat(hourly(restarted)).isEqualTo(before);
        }
    }
}
