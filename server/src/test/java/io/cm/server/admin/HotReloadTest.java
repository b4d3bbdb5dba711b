package io.cm.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §9: a change applies to the next decision without restart, running sessions are re-evaluated
 * at their next heartbeat (FIFO dismisses the oldest, LIFO keeps them and denies new inits), and the
 * change survives a restart.
 */
class HotReloadTest {

    private static final Map<String, String> ENV = Map.of("CM_ADMIN_TOKEN", AdminClient.TOKEN, "CM_STORE", "embedded");

    private static HttpResponse<String> heartbeat(TestServer server, String app, String subject, String session) {
        server.clock.advance(Duration.ofSeconds(10));
        return server.post(app, "/v2/sessions/idp/" + subject + "/" + session);
    }

    @Test
    void loweringALifoLimitBelowTheRunningSessionsDeniesNewInitsKeepsThemAndRaisingItAdmitsAgain() {
        try (TestServer server = TestServer.demo(ENV)) {
            AdminClient admin = new AdminClient(server);
            String first = started(server, "demo-app", "/v2/sessions/idp/alice");
            String second = started(server, "demo-app", "/v2/sessions/idp/alice");

            admin.limit("demo-policy", 1, "LIFO");

            JsonNode denied = assertError(server.post("demo-app", "/v2/sessions/idp/alice"), 409, "POLICY_VIOLATION");
            assertThat(denied.at("/evaluationResult/associatedAdvice/0/attributes/threshold").asInt()).isEqualTo(1);
            assertThat(denied.at("/evaluationResult/associatedAdvice/0/attributes/current").asInt()).isEqualTo(3);
            assertThat(heartbeat(server, "demo-app", "alice", first).statusCode()).isEqualTo(202);
            assertThat(heartbeat(server, "demo-app", "alice", second).statusCode()).isEqualTo(202);

            admin.limit("demo-policy", 3, "LIFO");

            assertThat(server.post("demo-app", "/v2/sessions/idp/alice").statusCode()).isEqualTo(202);
        }
    }

    @Test
    void loweringAFifoLimitDismissesTheOldestAtItsNextHeartbeat() {
        try (TestServer server = TestServer.demo(ENV)) {
            AdminClient admin = new AdminClient(server);
            String oldest = started(server, "demo-app-fifo", "/v2/sessions/idp/bob");
            server.clock.advance(Duration.ofSeconds(1));
            String newer = started(server, "demo-app-fifo", "/v2/sessions/idp/bob");

            admin.limit("latest-wins", 1, "FIFO");

            JsonNode dismissed = assertError(heartbeat(server, "demo-app-fifo", "bob", oldest), 409, "POLICY_VIOLATION");
            JsonNode attributes = dismissed.at("/evaluationResult/associatedAdvice/0/attributes");
            assertThat(attributes.path("threshold").asInt()).isEqualTo(1);
            assertThat(attributes.at("/conflicts/0/sessionId").asText()).isEqualTo(newer);
            assertThat(heartbeat(server, "demo-app-fifo", "bob", newer).statusCode()).isEqualTo(202);
            assertThat(heartbeat(server, "demo-app-fifo", "bob", oldest).statusCode()).isEqualTo(410);
        }
    }

    @Test
    void whenTheNewerFifoSessionHeartbeatsFirstTheOlderOneLearnsOfItsDismissalAtItsNextHeartbeat() {
        try (TestServer server = TestServer.demo(ENV)) {
            AdminClient admin = new AdminClient(server);
            String oldest = started(server, "demo-app-fifo", "/v2/sessions/idp/carol");
            server.clock.advance(Duration.ofSeconds(1));
            String newer = started(server, "demo-app-fifo", "/v2/sessions/idp/carol");
            admin.limit("latest-wins", 1, "FIFO");

            assertThat(heartbeat(server, "demo-app-fifo", "carol", newer).statusCode()).isEqualTo(202);

            assertError(heartbeat(server, "demo-app-fifo", "carol", oldest), 409, "POLICY_VIOLATION");
            assertThat(server.get("demo-app-fifo", "/v2/runningStreams/idp/carol").body()).contains(newer)
                    .doesNotContain(oldest);
        }
    }

    @Test
    void aChangeSurvivesARestart() {
        Path dataDir;
        try (TestServer server = TestServer.demo(ENV)) {
            dataDir = server.dataDir();
            new AdminClient(server).limit("demo-policy", 1, "LIFO");
        }
        try (TestServer restarted = TestServer.demo(ENV, dataDir)) {
            assertThat(new AdminClient(restarted).read("/policies/demo-policy").at("/rules/0/limit").asInt()).isEqualTo(1);
            started(restarted, "demo-app", "/v2/sessions/idp/dave");
            JsonNode denied = assertError(restarted.post("demo-app", "/v2/sessions/idp/dave"), 409, "POLICY_VIOLATION");
            assertThat(denied.at("/evaluationResult/associatedAdvice/0/attributes/threshold").asInt()).isEqualTo(1);
            assertThat(new AdminClient(restarted).read("/audit").at("/entries/0/action").asText())
                    .isEqualTo("PUT /admin/v1/policies/demo-policy");
        }
    }

    @Test
    void startingWithTheFileWinsReplacesThePersistedChangesAndSaysSoInTheAuditTrail() {
        Path dataDir;
        try (TestServer server = TestServer.demo(ENV)) {
            dataDir = server.dataDir();
            new AdminClient(server).limit("demo-policy", 1, "LIFO");
        }
        Map<String, String> fileWins = new java.util.HashMap<>(ENV);
        fileWins.put("CM_ADMIN_CONFIG", "file");
        try (TestServer restarted = TestServer.demo(fileWins, dataDir)) {
            AdminClient admin = new AdminClient(restarted);
            assertThat(admin.read("/policies/demo-policy").at("/rules/0/limit").asInt()).isEqualTo(3);
            JsonNode reset = admin.read("/audit").at("/entries/0");
            assertThat(reset.path("token").asText()).isEqualTo("config-file");
            assertThat(reset.at("/changes/0/name").asText()).isEqualTo("demo-policy");
        }
        try (TestServer again = TestServer.demo(ENV, dataDir)) {
            assertThat(new AdminClient(again).read("/policies/demo-policy").at("/rules/0/limit").asInt()).isEqualTo(3);
        }
    }

    @Test
    void applicationsAddedOrRemovedAuthenticateOrNotAtTheNextRequest() {
        try (TestServer server = TestServer.demo(ENV)) {
            AdminClient admin = new AdminClient(server);
            assertThat(server.get("new-app", "/v2/metadata").statusCode()).isEqualTo(401);

            admin.put("/tenants/demo/applications/new-app", "{\"policies\":[\"demo-policy-2\"]}");

            assertThat(server.get("new-app", "/v2/metadata").body()).isEqualTo("[\"channel\"]");
            admin.delete("/tenants/demo/applications/new-app");
            assertError(server.get("new-app", "/v2/metadata"), 401, "UNAUTHORIZED");
        }
    }
}
