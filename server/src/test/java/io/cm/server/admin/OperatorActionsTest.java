package io.cm.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static io.cm.server.TestServer.json;
import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/** SPEC §9 operator actions: look up a subject, kill one session, end and forget a subject. */
class OperatorActionsTest {

    private static TestServer server;
    private static AdminClient admin;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of("CM_ADMIN_TOKEN", AdminClient.TOKEN));
        admin = new AdminClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aSubjectLookupListsEveryRunningSessionOfEveryApplication() {
        String demo = started(server, "demo-app", "/v2/sessions/idp/lookup?deviceId=tv");
        String fifo = started(server, "demo-app-fifo", "/v2/sessions/idp/lookup");

        JsonNode subject = admin.read("/subjects/idp/lookup");

        assertThat(subject.path("idp").asText()).isEqualTo("idp");
        assertThat(subject.path("subject").asText()).isEqualTo("lookup");
        assertThat(subject.path("sessions")).extracting(s -> s.path("sessionId").asText()).containsExactly(demo, fifo);
        JsonNode first = subject.at("/sessions/0");
        assertThat(first.path("applicationId").asText()).isEqualTo("demo-app");
        assertThat(first.path("applicationName").asText()).isEqualTo("Demo application");
        assertThat(first.path("tenant").asText()).isEqualTo("demo");
        assertThat(first.at("/metadata/deviceId").asText()).isEqualTo("tv");
        assertThat(first.path("terminationCode").asText()).isNotBlank();
        assertThat(first.path("expiresAt").asLong()).isEqualTo(server.clock.millis() + 90_000);
        assertThat(admin.read("/subjects/idp/nobody").path("sessions")).isEmpty();
    }

    @Test
    void aKilledSessionsNextHeartbeatGets410WithTheRemoteTerminationAdviceByTheOperator() {
        String victim = started(server, "demo-app", "/v2/sessions/idp/killed");
        String survivor = started(server, "demo-app", "/v2/sessions/idp/killed");

        HttpResponse<String> kill = admin.delete("/subjects/idp/killed/sessions/" + victim);

        assertThat(kill.statusCode()).isEqualTo(204);
        JsonNode gone = assertError(server.post("demo-app", "/v2/sessions/idp/killed/" + victim), 410,
                "SESSION_TERMINATED");
        assertThat(gone.at("/error/message").asText()).isEqualTo("The session was terminated by an operator");
        JsonNode advice = gone.at("/evaluationResult/associatedAdvice/0");
        assertThat(advice.path("adviceType").asText()).isEqualTo("remote-termination");
        assertThat(advice.at("/attributes/terminatedBy").asText()).isEqualTo("operator");
        assertThat(advice.at("/attributes/reason").asText()).isEqualTo("Terminated by an operator");
        assertThat(server.post("demo-app", "/v2/sessions/idp/killed/" + survivor).statusCode()).isEqualTo(202);
        JsonNode audit = admin.read("/audit?limit=1").at("/entries/0");
        assertThat(audit.path("action").asText()).isEqualTo("DELETE /admin/v1/subjects/idp/killed/sessions/" + victim);
        assertThat(audit.at("/changes/0/change").asText()).isEqualTo("killed");
    }

    @Test
    void killingASessionThatIsNotRunningIs404() {
        String stopped = started(server, "demo-app", "/v2/sessions/idp/not-running");
        server.delete("demo-app", "/v2/sessions/idp/not-running/" + stopped);

        assertError(admin.delete("/subjects/idp/not-running/sessions/" + stopped), 404, "SESSION_NOT_FOUND");
        assertError(admin.delete("/subjects/idp/not-running/sessions/nonsense"), 404, "SESSION_NOT_FOUND");
    }

    @Test
    void endingASubjectEndsEverySessionAndForgetsIt() {
        String first = started(server, "demo-app", "/v2/sessions/idp/forgotten");
        String second = started(server, "demo-app-2", "/v2/sessions/idp/forgotten?channel=news");

        HttpResponse<String> ended = admin.delete("/subjects/idp/forgotten");

        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(json(ended).path("endedSessions")).extracting(JsonNode::asText).containsExactly(first, second);
        assertThat(admin.read("/subjects/idp/forgotten").path("sessions")).isEmpty();
        HttpResponse<String> heartbeat = server.post("demo-app", "/v2/sessions/idp/forgotten/" + first);
        assertThat(heartbeat.statusCode()).isEqualTo(410);
        assertThat(heartbeat.body()).isEmpty();
        assertThat(json(admin.delete("/subjects/idp/forgotten")).path("endedSessions")).isEmpty();
    }

    @Test
    void badSubjectOrSessionIdsAre400() {
        String tooLong = "x".repeat(300);
        assertError(admin.get("/subjects/idp/" + tooLong), 400, "INVALID_REQUEST");
        assertError(admin.delete("/subjects/idp/s/sessions/" + tooLong), 400, "INVALID_REQUEST");
    }
}
