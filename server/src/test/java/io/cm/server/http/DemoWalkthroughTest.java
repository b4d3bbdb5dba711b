package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import static io.cm.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The README's curl walkthrough of the demo configuration, as black-box HTTP (demo-app: max 3 streams, LIFO). */
class DemoWalkthroughTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String init(String subject, String device) {
        HttpResponse<String> response = server.post("demo-app",
                "/v2/sessions/demo-idp/" + subject + "?deviceId=" + device + "&channel=Channel1&contentType=live");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    @Test
    void initsUpToTheLimitAreAcceptedWithLocationDateAndExpires() {
        HttpResponse<String> response = server.post("demo-app", "/v2/sessions/demo-idp/alice?deviceId=d1");
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(id -> assertThat(id).doesNotContain("/"));
        ZonedDateTime date = ZonedDateTime.parse(response.headers().firstValue("Date").orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME);
        ZonedDateTime expires = ZonedDateTime.parse(response.headers().firstValue("Expires").orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(expires).isEqualTo(date.plusSeconds(60));
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void fourthStreamIsDeniedWithTheSeedsConflictStructure() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) ids.add(init("bob", "device-" + i));

        HttpResponse<String> denied = server.post("demo-app",
                "/v2/sessions/demo-idp/bob?deviceId=device-4&channel=Channel1&contentType=live");

        assertThat(denied.statusCode()).isEqualTo(409);
        assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/json;charset=utf-8");
        assertThat(denied.headers().firstValue("Date")).as("the server clock's time, as on every answer")
                .hasValue(HttpDates.format(server.clock.millis()));
        JsonNode body = json(denied);
        assertThat(body.path("status").asText()).isEqualTo("error");
        assertThat(body.path("error").path("code").asText()).isEqualTo("POLICY_VIOLATION");
        assertThat(body.path("error").path("message").asText()).isEqualTo("Concurrent usage limit exceeded");
        JsonNode result = body.path("evaluationResult");
        assertThat(result.path("decision").asText()).isEqualTo("DENY");
        assertThat(result.path("obligations").isArray()).isTrue();
        assertThat(result.path("associatedAdvice")).hasSize(1);
        JsonNode advice = result.path("associatedAdvice").get(0);
        assertThat(advice.path("id").asText()).isEqualTo("advice-1");
        assertThat(advice.path("adviceType").asText()).isEqualTo("rule-violation");
        JsonNode attributes = advice.path("attributes");
        assertThat(attributes.path("policy").asText()).isEqualTo("demo-policy");
        assertThat(attributes.path("rule").asText()).isEqualTo("max_streams");
        assertThat(attributes.path("threshold").asInt()).isEqualTo(3);
        assertThat(attributes.path("current").asInt()).isEqualTo(4);
        assertThat(attributes.path("message").asText()).isEqualTo("You have reached your maximum of 3 concurrent streams");
        JsonNode conflicts = attributes.path("conflicts");
        assertThat(conflicts).hasSize(3);
        List<String> conflictIds = new ArrayList<>();
        for (JsonNode conflict : conflicts) {
            conflictIds.add(conflict.path("sessionId").asText());
            assertThat(conflict.path("terminationCode").asText()).isNotBlank();
            assertThat(conflict.path("applicationName").asText()).isEqualTo("Demo application");
            assertThat(conflict.path("startTime").asLong()).isEqualTo(server.clock.millis());
            assertThat(conflict.path("metadata").path("channel").asText()).isEqualTo("Channel1");
            assertThat(conflict.path("metadata").path("contentType").asText()).isEqualTo("live");
            assertThat(conflict.path("metadata").path("deviceId").asText()).startsWith("device-");
        }
        assertThat(conflictIds).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void heartbeatOfAnActiveSessionIsAccepted() {
        String id = init("carol", "d1");
        HttpResponse<String> beat = server.post("demo-app", "/v2/sessions/demo-idp/carol/" + id);
        assertThat(beat.statusCode()).isEqualTo(202);
        assertThat(beat.headers().firstValue("Date")).isPresent();
        assertThat(beat.headers().firstValue("Expires")).isPresent();
    }

    @Test
    void runningStreamsListsTheSubjectsSessionsWithExpires() {
        String first = init("dave", "d1");
        init("dave", "d2");
        HttpResponse<String> response = server.get("demo-app", "/v2/runningStreams/demo-idp/dave");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Expires")).isPresent();
        JsonNode body = json(response);
        assertThat(body.path("otherStreams").asInt()).isZero();
        assertThat(body.path("runningStreams")).hasSize(2);
        JsonNode stream = body.path("runningStreams").get(0);
        assertThat(stream.path("sessionId").asText()).isEqualTo(first);
        assertThat(stream.path("applicationId").asText()).isEqualTo("demo-app");
        assertThat(stream.path("applicationName").asText()).isEqualTo("Demo application");
        assertThat(stream.path("terminationCode").asText()).isNotBlank();
        assertThat(stream.path("startTime").asLong()).isEqualTo(server.clock.millis());
        assertThat(stream.path("metadata").path("deviceId").asText()).isEqualTo("d1");
    }

    @Test
    void runningStreamsOfASubjectWithoutSessionsIsEmptyWithoutExpires() {
        HttpResponse<String> response = server.get("demo-app", "/v2/runningStreams/demo-idp/nobody");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("runningStreams")).isEmpty();
        assertThat(response.headers().firstValue("Expires")).isEmpty();
    }

    @Test
    void initWithXTerminateKillsTheNamedSessionAndItsHeartbeatIsToldWho() {
        String victim = init("erin", "d1");
        init("erin", "d2");
        init("erin", "d3");
        String code = terminationCodeOf("erin", victim);

        HttpResponse<String> killer = server.send(server.as("demo-app",
                        "/v2/sessions/demo-idp/erin?deviceId=d4&deviceName=Living%20room&channel=Channel9")
                .header("X-Terminate", code).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(killer.statusCode()).as(killer.body()).isEqualTo(202);
        String killerId = killer.headers().firstValue("Location").orElseThrow();

        HttpResponse<String> beat = server.post("demo-app", "/v2/sessions/demo-idp/erin/" + victim);
        assertThat(beat.statusCode()).isEqualTo(410);
        JsonNode advice = json(beat).path("evaluationResult").path("associatedAdvice").get(0);
        assertThat(advice.path("adviceType").asText()).isEqualTo("remote-termination");
        assertThat(advice.path("attributes").path("terminatedBy").asText()).isEqualTo(killerId);
        assertThat(advice.path("attributes").path("reason").asText())
                .isEqualTo("New session requested with X-Terminate header");
        JsonNode terminator = advice.path("attributes").path("terminator");
        assertThat(terminator.path("applicationName").asText()).isEqualTo("Demo application");
        assertThat(terminator.path("deviceName").asText()).isEqualTo("Living room");
        assertThat(terminator.path("channel").asText()).isEqualTo("Channel9");
        assertThat(terminator.path("startTime").asLong()).isEqualTo(server.clock.millis());

        JsonNode running = json(server.get("demo-app", "/v2/runningStreams/demo-idp/erin")).path("runningStreams");
        assertThat(running).hasSize(3);
        JsonNode newSession = streamById(running, killerId);
        assertThat(newSession.path("metadata").path("superseded").asText()).isEqualTo(code);
    }

    @Test
    void unknownTerminationCodeStillDeniesAndKillsNothing() {
        List<String> ids = List.of(init("frank", "d1"), init("frank", "d2"), init("frank", "d3"));
        HttpResponse<String> response = server.send(server.as("demo-app", "/v2/sessions/demo-idp/frank?deviceId=d4")
                .header("X-Terminate", "NOSUCH").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).at("/evaluationResult/associatedAdvice/0/attributes/conflicts")).hasSize(3);
        for (String id : ids) {
            assertThat(server.post("demo-app", "/v2/sessions/demo-idp/frank/" + id).statusCode()).isEqualTo(202);
        }
    }

    @Test
    void stoppedSessionAnswersGoneWithoutBody() {
        String id = init("grace", "d1");
        HttpResponse<String> stop = server.delete("demo-app", "/v2/sessions/demo-idp/grace/" + id);
        assertThat(stop.statusCode()).isEqualTo(202);
        HttpResponse<String> beat = server.post("demo-app", "/v2/sessions/demo-idp/grace/" + id);
        assertThat(beat.statusCode()).isEqualTo(410);
        assertThat(beat.body()).isEmpty();
        HttpResponse<String> again = server.delete("demo-app", "/v2/sessions/demo-idp/grace/" + id);
        assertThat(again.statusCode()).isEqualTo(410);
        assertThat(again.body()).isEmpty();
    }

    private static String terminationCodeOf(String subject, String sessionId) {
        JsonNode running = json(server.get("demo-app", "/v2/runningStreams/demo-idp/" + subject)).path("runningStreams");
        return streamById(running, sessionId).path("terminationCode").asText();
    }

    private static JsonNode streamById(JsonNode running, String sessionId) {
        for (JsonNode stream : running) {
            if (stream.path("sessionId").asText().equals(sessionId)) return stream;
        }
        throw new AssertionError("no running stream " + sessionId + " in " + running);
    }
}
