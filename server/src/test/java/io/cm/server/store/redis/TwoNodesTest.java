package io.cm.server.store.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.cm.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes on one Redis (SPEC §8): decisions are atomic per subject across nodes, and any node
 * serves any session. The init throttle is raised so that it takes no part.
 */
class TwoNodesTest {

    private static final String APP = "demo-app";
    private static TwoNodes nodes;

    @BeforeAll
    static void start() {
        nodes = TwoNodes.start(Map.of("CM_THROTTLING_INITS_PER_WINDOW", "1000000"));
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static HttpRequest init(TestServer node, String subject, String device, String... terminate) {
        HttpRequest.Builder request = node.as(APP, "/v2/sessions/idp/" + subject + "?deviceId=" + device)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody());
        for (String code : terminate) request.header("X-Terminate", code);
        return request.build();
    }

    private static String started(TestServer node, String subject, String device) {
        HttpResponse<String> response = node.send(node.as(APP, "/v2/sessions/idp/" + subject + "?deviceId=" + device)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    private static JsonNode running(TestServer node, String subject) {
        HttpResponse<String> response = node.get(APP, "/v2/runningStreams/idp/" + subject);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).path("runningStreams");
    }

    private static List<String> ids(JsonNode streams) {
        List<String> ids = new ArrayList<>();
        streams.forEach(stream -> ids.add(stream.path("sessionId").asText()));
        return ids;
    }

    private static int heartbeat(TestServer node, String subject, String id) {
        return node.post(APP, "/v2/sessions/idp/" + subject + "/" + id).statusCode();
    }

    @Test
    void twoHundredSimultaneousInitsSpreadOverTwoNodesAdmitExactlyThreeInEachOfTwentyRounds() throws Exception {
        for (int round = 0; round < 20; round++) {
            String subject = "racer-" + round;
            List<HttpRequest> inits = new ArrayList<>();
            for (int i = 0; i < 200; i++) inits.add(init(nodes.node(i), subject, "d" + i));

            List<String> admitted = new ArrayList<>();
            int denied = 0;
            for (HttpResponse<String> response : TwoNodes.simultaneously(inits)) {
                switch (response.statusCode()) {
                    case 202 -> admitted.add(response.headers().firstValue("Location").orElseThrow());
                    case 409 -> denied++;
                    default -> throw new AssertionError("round " + round + ": " + response.statusCode() + " "
                            + response.body());
                }
            }
            assertThat(admitted).as("round %d", round).hasSize(3);
            assertThat(denied).as("round %d", round).isEqualTo(197);
            assertThat(ids(running(nodes.b, subject))).as("round %d", round)
                    .containsExactlyInAnyOrderElementsOf(admitted);
        }
    }

    @Test
    void ofManyConcurrentKillersOfOneVictimOnTwoNodesExactlyOneWinsAndTheDeniedKillNothing() throws Exception {
        for (int round = 0; round < 5; round++) {
            String subject = "victim-" + round;
            String victim = started(nodes.a, subject, "tv");
            String second = started(nodes.b, subject, "phone");
            String third = started(nodes.a, subject, "tablet");
            String code = terminationCode(running(nodes.a, subject), victim);

            List<HttpRequest> killers = new ArrayList<>();
            for (int i = 0; i < 20; i++) killers.add(init(nodes.node(i), subject, "killer" + i, code));
            List<String> winners = new ArrayList<>();
            for (HttpResponse<String> response : TwoNodes.simultaneously(killers)) {
                if (response.statusCode() == 202) winners.add(response.headers().firstValue("Location").orElseThrow());
                else assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
            }

            assertThat(winners).as("round %d", round).hasSize(1);
            HttpResponse<String> killed = nodes.b.post(APP, "/v2/sessions/idp/" + subject + "/" + victim);
            assertThat(killed.statusCode()).isEqualTo(410);
            assertThat(json(killed).at("/evaluationResult/associatedAdvice/0/attributes/terminatedBy").asText())
                    .isEqualTo(winners.getFirst());
            assertThat(heartbeat(nodes.a, subject, second)).as("not killed by a denied init").isEqualTo(202);
            assertThat(heartbeat(nodes.b, subject, third)).as("not killed by a denied init").isEqualTo(202);
            assertThat(ids(running(nodes.a, subject))).containsExactlyInAnyOrder(second, third, winners.getFirst());
        }
    }

    private static String terminationCode(JsonNode streams, String id) {
        for (JsonNode stream : streams) {
            if (stream.path("sessionId").asText().equals(id)) return stream.path("terminationCode").asText();
        }
        throw new AssertionError("no stream " + id + " in " + streams);
    }

    @Test
    void aSessionStartedOnOneNodeHeartbeatsIsListedAndStopsOnTheOther() {
        String id = started(nodes.a, "traveller", "tv");

        assertThat(heartbeat(nodes.b, "traveller", id)).isEqualTo(202);
        assertThat(ids(running(nodes.b, "traveller"))).containsExactly(id);
        assertThat(nodes.b.delete(APP, "/v2/sessions/idp/traveller/" + id).statusCode()).isEqualTo(202);

        assertThat(heartbeat(nodes.a, "traveller", id)).as("stopped on the other node").isEqualTo(410);
        assertThat(running(nodes.a, "traveller")).isEmpty();
    }
}
