package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.runningStreams;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relevant activity, shared policies and visibility (SPEC §1, §2), on a configuration of two
 * tenants:
 * <ul>
 *   <li>policy {@code P} (max 2 streams) is shared by tenant A's {@code app-a1} and tenant B's {@code app-b1};</li>
 *   <li>{@code app-a2} (tenant A) and {@code app-b2} (tenant B) reference only their own {@code Q} (max 5);</li>
 *   <li>{@code app-x} (tenant A) references {@code P1} (max 2 streams) and {@code P2} (max 1 per channel);</li>
 *   <li>{@code app-secret} (tenant A) has a secret.</li>
 * </ul>
 * A session that counts for a policy of the caller was started by an application referencing that
 * policy, which therefore shares it with the caller and is visible (SPEC §2): with these
 * definitions a counted-but-invisible conflict cannot be built, so the tests check instead that
 * sessions that do not count are neither in {@code current} nor in {@code conflicts}, and that
 * invisible sessions are counted in {@code otherStreams}.
 */
class SharedPolicyTest {

    static final String CONFIG = """
            tenants:
              - id: tenant-a
                applications:
                  - id: app-a1
                    name: App A1
                    policies: [P]
                  - id: app-a2
                    name: App A2
                    policies: [Q]
                  - id: app-x
                    name: App X
                    policies: [P1, P2]
                  - id: app-secret
                    name: Secret app
                    policies: [Q]
                    secret: s3cret
              - id: tenant-b
                applications:
                  - id: app-b1
                    name: App B1
                    policies: [P]
                  - id: app-b2
                    name: App B2
                    policies: [QB]
            policies:
              - name: P
                mode: LIFO
                rules:
                  - type: max-streams
                    limit: 2
              - name: Q
                rules:
                  - type: max-streams
                    limit: 5
              - name: QB
                rules:
                  - type: max-streams
                    limit: 5
              - name: P1
                rules:
                  - type: max-streams
                    limit: 2
              - name: P2
                rules:
                  - type: max-per-value
                    attribute: channel
                    limit: 1
            """;

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.withConfig(CONFIG);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String init(String app, String subject, String query) {
        return started(server, app, "/v2/sessions/idp/" + subject + "?" + query);
    }

    private static List<String> ids(JsonNode nodes) {
        List<String> ids = new ArrayList<>();
        nodes.forEach(n -> ids.add(n.path("sessionId").asText()));
        return ids;
    }

    private static JsonNode adviceOf(JsonNode body, String policy) {
        for (JsonNode advice : body.at("/evaluationResult/associatedAdvice")) {
            if (advice.path("attributes").path("policy").asText().equals(policy)) return advice.path("attributes");
        }
        throw new AssertionError("no advice for policy " + policy + " in " + body);
    }

    @Test
    void sessionsOfAnApplicationThatDoesNotReferenceThePolicyNeverCountForIt() {
        for (int i = 1; i <= 3; i++) init("app-a2", "s1", "deviceId=a2-" + i);

        String first = init("app-a1", "s1", "deviceId=a1-1");
        String second = init("app-a1", "s1", "deviceId=a1-2");
        HttpResponse<String> third = server.post("app-a1", "/v2/sessions/idp/s1?deviceId=a1-3");

        JsonNode attributes = adviceOf(assertError(third, 409, "POLICY_VIOLATION"), "P");
        assertThat(attributes.path("current").asInt()).isEqualTo(3);
        assertThat(attributes.path("threshold").asInt()).isEqualTo(2);
        assertThat(ids(attributes.path("conflicts"))).containsExactlyInAnyOrder(first, second);
        assertThat(server.post("app-a2", "/v2/sessions/idp/s1?deviceId=a2-4").statusCode())
                .as("app-a1's sessions do not count for Q either").isEqualTo(202);
    }

    @Test
    void aSharedPolicyCountsSessionsOfTheOtherTenantsApplication() {
        String b1 = init("app-b1", "s2", "deviceId=b1-1");
        String b2 = init("app-b1", "s2", "deviceId=b1-2");

        HttpResponse<String> denied = server.post("app-a1", "/v2/sessions/idp/s2?deviceId=a1-1");

        JsonNode attributes = adviceOf(assertError(denied, 409, "POLICY_VIOLATION"), "P");
        assertThat(attributes.path("current").asInt()).isEqualTo(3);
        assertThat(ids(attributes.path("conflicts"))).containsExactlyInAnyOrder(b1, b2);
        for (JsonNode conflict : attributes.path("conflicts")) {
            assertThat(conflict.path("applicationName").asText()).isEqualTo("App B1");
            assertThat(conflict.path("terminationCode").asText()).isNotBlank();
        }
    }

    @Test
    void theConflictsListOnlyCountedSessionsAndCurrentCountsEveryCountedSession() {
        init("app-b2", "s3", "deviceId=b2-1");
        init("app-a2", "s3", "deviceId=a2-1");
        String a1 = init("app-a1", "s3", "deviceId=a1-1");
        String b1 = init("app-b1", "s3", "deviceId=b1-1");

        HttpResponse<String> denied = server.post("app-a1", "/v2/sessions/idp/s3?deviceId=a1-2");

        JsonNode attributes = adviceOf(assertError(denied, 409, "POLICY_VIOLATION"), "P");
        assertThat(attributes.path("current").asInt()).isEqualTo(3);
        assertThat(ids(attributes.path("conflicts"))).containsExactlyInAnyOrder(a1, b1);
    }

    @Test
    void anApplicationWithTwoPoliciesIsDeniedWhenOnlyTheFirstDenies() {
        init("app-x", "s4", "channel=c1");
        init("app-x", "s4", "channel=c2");

        HttpResponse<String> denied = server.post("app-x", "/v2/sessions/idp/s4?channel=c3");

        JsonNode body = assertError(denied, 409, "POLICY_VIOLATION");
        assertThat(body.at("/evaluationResult/associatedAdvice")).hasSize(1);
        JsonNode attributes = adviceOf(body, "P1");
        assertThat(attributes.path("rule").asText()).isEqualTo("max_streams");
        assertThat(attributes.path("current").asInt()).isEqualTo(3);
    }

    @Test
    void anApplicationWithTwoPoliciesIsDeniedWhenOnlyTheSecondDenies() {
        init("app-x", "s5", "channel=c1");

        HttpResponse<String> denied = server.post("app-x", "/v2/sessions/idp/s5?channel=c1");

        JsonNode body = assertError(denied, 409, "POLICY_VIOLATION");
        assertThat(body.at("/evaluationResult/associatedAdvice")).hasSize(1);
        JsonNode attributes = adviceOf(body, "P2");
        assertThat(attributes.path("rule").asText()).isEqualTo("max_per_value");
        assertThat(attributes.path("attribute").asText()).isEqualTo("channel");
        assertThat(attributes.path("value").asText()).isEqualTo("c1");
        assertThat(attributes.path("threshold").asInt()).isEqualTo(1);
        assertThat(attributes.path("current").asInt()).isEqualTo(2);
        init("app-x", "s5", "channel=c2");
    }

    @Test
    void whenBothPoliciesDenyBothAdvicesAreGiven() {
        String c1 = init("app-x", "s6", "channel=c1");
        String c2 = init("app-x", "s6", "channel=c2");

        HttpResponse<String> denied = server.post("app-x", "/v2/sessions/idp/s6?channel=c1");

        JsonNode body = assertError(denied, 409, "POLICY_VIOLATION");
        assertThat(body.at("/evaluationResult/associatedAdvice")).hasSize(2);
        assertThat(body.at("/evaluationResult/associatedAdvice")).extracting(a -> a.path("id").asText())
                .containsExactlyInAnyOrder("advice-1", "advice-2");
        JsonNode p1 = adviceOf(body, "P1");
        assertThat(p1.path("current").asInt()).isEqualTo(3);
        assertThat(ids(p1.path("conflicts"))).containsExactlyInAnyOrder(c1, c2);
        JsonNode p2 = adviceOf(body, "P2");
        assertThat(p2.path("current").asInt()).isEqualTo(2);
        assertThat(ids(p2.path("conflicts"))).containsExactly(c1);
    }

    @Test
    void runningStreamsListsSameTenantAndSharedPolicySessionsAndCountsTheRest() {
        String a1 = init("app-a1", "s7", "deviceId=a1");
        String a2 = init("app-a2", "s7", "deviceId=a2");
        String b1 = init("app-b1", "s7", "deviceId=b1");
        String b2 = init("app-b2", "s7", "deviceId=b2");

        JsonNode forA1 = runningStreams(server, "app-a1", "idp", "s7");
        assertThat(ids(forA1.path("runningStreams"))).containsExactlyInAnyOrder(a1, a2, b1);
        assertThat(forA1.path("otherStreams").asInt()).isEqualTo(1);

        JsonNode forA2 = runningStreams(server, "app-a2", "idp", "s7");
        assertThat(ids(forA2.path("runningStreams"))).containsExactlyInAnyOrder(a1, a2);
        assertThat(forA2.path("otherStreams").asInt()).isEqualTo(2);

        JsonNode forB1 = runningStreams(server, "app-b1", "idp", "s7");
        assertThat(ids(forB1.path("runningStreams"))).containsExactlyInAnyOrder(a1, b1, b2);
        assertThat(forB1.path("otherStreams").asInt()).isEqualTo(1);

        JsonNode forB2 = runningStreams(server, "app-b2", "idp", "s7");
        assertThat(ids(forB2.path("runningStreams"))).containsExactlyInAnyOrder(b1, b2);
        assertThat(forB2.path("otherStreams").asInt()).isEqualTo(2);
        for (JsonNode stream : forB2.path("runningStreams")) {
            assertThat(stream.path("applicationName").asText()).isIn("App B1", "App B2");
        }
    }

    @Test
    void anXTerminateCodeOfAnInvisibleSessionIsIgnored() {
        init("app-b2", "s8", "deviceId=b2");
        String b2Code = runningStreams(server, "app-b2", "idp", "s8").path("runningStreams").get(0)
                .path("terminationCode").asText();
        init("app-a1", "s8", "deviceId=a1-1");
        init("app-a1", "s8", "deviceId=a1-2");

        HttpResponse<String> response = server.send(server.as("app-a1", "/v2/sessions/idp/s8?deviceId=a1-3")
                .header("X-Terminate", b2Code).POST(HttpRequest.BodyPublishers.noBody()));

        assertError(response, 409, "POLICY_VIOLATION");
        assertThat(runningStreams(server, "app-b2", "idp", "s8").path("runningStreams")).hasSize(1);
    }

    // ---- an application with a secret ----------------------------------------------------------

    private static HttpResponse<String> initWith(String subject, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/v2/sessions/idp/" + subject + "?deviceId=d"))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) request.header("Authorization", authorization);
        return server.send(request);
    }

    @Test
    void anApplicationWithASecretRefusesAWrongOrMissingPassword() {
        for (String authorization : new String[]{TestServer.basic("app-secret", "wrong"),
                TestServer.basic("app-secret", ""), TestServer.basic("app-secret", "s3cret "),
                "Basic " + java.util.Base64.getEncoder().encodeToString("app-secret".getBytes()), null}) {
            HttpResponse<String> response = initWith("s9", authorization);
            assertError(response, 401, null);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"cm\"");
        }
        assertThat(runningStreams(server, "app-a2", "idp", "s9").path("runningStreams")).isEmpty();
    }

    @Test
    void anApplicationWithASecretAcceptsTheRightPassword() {
        HttpResponse<String> response = initWith("s10", TestServer.basic("app-secret", "s3cret"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("Location")).isPresent();
    }
}
