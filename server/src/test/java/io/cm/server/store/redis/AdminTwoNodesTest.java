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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.cm.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §9 on many nodes: an admin change made on one node decides on the other within a second,
 * is kept in Redis (a node started later runs it), and the audit trail is shared.
 */
class AdminTwoNodesTest {

    private static final String TOKEN = "two-nodes-admin-token";
    private static TwoNodes nodes;

    @BeforeAll
    static void start() {
        nodes = TwoNodes.start(Map.of("CM_ADMIN_TOKEN", TOKEN));
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static HttpResponse<String> admin(TestServer node, String method, String path, String body) {
        return node.send(HttpRequest.newBuilder(node.uri("/admin/v1" + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void limit(TestServer node, int limit) {
        HttpResponse<String> response = admin(node, "PUT", "/policies/demo-policy",
                "{\"rules\":[{\"type\":\"max-streams\",\"limit\":" + limit + "}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** The threshold a 409 on {@code node} names, or 0 when the init is admitted (and then stopped again). */
    private static int thresholdOfAnInit(TestServer node, String subject) {
        HttpResponse<String> init = node.post("demo-app", "/v2/sessions/idp/" + subject);
        if (init.statusCode() == 202) {
            node.delete("demo-app", "/v2/sessions/idp/" + subject + "/" + init.headers().firstValue("Location").orElseThrow());
            return 0;
        }
        assertThat(init.statusCode()).as(init.body()).isEqualTo(409);
        return json(init).at("/evaluationResult/associatedAdvice/0/attributes/threshold").asInt();
    }

    /** Milliseconds from node A's answer to the first init on node B decided under the new limit. */
    private static long propagation(int limit, String subject) {
        limit(nodes.a, limit);
        long changed = System.nanoTime();
        while (true) {
            int threshold = thresholdOfAnInit(nodes.b, subject);
            if (limit == 1 ? threshold == 1 : threshold == 0) return (System.nanoTime() - changed) / 1_000_000;
            assertThat(System.nanoTime() - changed).as("the change did not reach node B within 10 s")
                    .isLessThan(Duration.ofSeconds(10).toNanos());
        }
    }

    @Test
    void aLimitChangedOnNodeADecidesOnNodeBWithinASecond() {
        assertThat(nodes.b.post("demo-app", "/v2/sessions/idp/propagated").statusCode()).isEqualTo(202);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            delays.add(propagation(1, "propagated"));
            delays.add(propagation(3, "propagated"));
        }

        System.out.println("Admin change A -> decision on B, ms: " + delays);
        // Pub/sub carries a change in milliseconds and the periodic check bounds it to about half a
        // second; on a machine shared by other builds one measurement can still stall, not all.
        assertThat(delays).as("ms from the change on A to the first decision on B under it").anyMatch(ms -> ms <= 1000);
        assertThat(delays.stream().sorted().toList().get(delays.size() / 2)).isLessThanOrEqualTo(1000L);
    }

    @Test
    void aChangeIsKeptInRedisForNodesStartedLaterAndTheAuditTrailIsShared() {
        HttpResponse<String> created = admin(nodes.a, "PUT", "/policies/kept-in-redis",
                "{\"rules\":[{\"type\":\"max-streams\",\"limit\":7}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        Map<String, String> env = new HashMap<>(TwoNodes.onRedis(nodes.redis));
        env.put("CM_ADMIN_TOKEN", TOKEN);
        try (TestServer later = TestServer.demo(env)) {
            HttpResponse<String> policy = admin(later, "GET", "/policies/kept-in-redis", null);
            assertThat(policy.statusCode()).isEqualTo(200);
            assertThat(json(policy).at("/rules/0/limit").asInt()).isEqualTo(7);
            assertThat(admin(later, "GET", "/config", null).headers().firstValue("ETag"))
                    .isEqualTo(admin(nodes.a, "GET", "/config", null).headers().firstValue("ETag"));
        }
        JsonNode audit = json(admin(nodes.b, "GET", "/audit?limit=1", null));
        assertThat(audit.at("/entries/0/action").asText()).isEqualTo("PUT /admin/v1/policies/kept-in-redis");
    }

    @Test
    void concurrentChangesOnBothNodesBasedOnOneVersionLetOneWinAndTheOther412() {
        String etag = admin(nodes.a, "GET", "/config", null).headers().firstValue("ETag").orElseThrow();
        String body = "{\"rules\":[{\"type\":\"max-streams\",\"limit\":5}]}";

        HttpResponse<String> first = admin(nodes.a, "PUT", "/policies/raced", body);
        assertThat(first.statusCode()).isEqualTo(201);
        HttpResponse<String> second = nodes.b.send(HttpRequest.newBuilder(nodes.b.uri("/admin/v1/policies/raced-too"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header("If-Match", etag).PUT(HttpRequest.BodyPublishers.ofString(body)));

        assertThat(second.statusCode()).as(second.body()).isEqualTo(412);
        assertThat(admin(nodes.b, "GET", "/policies/raced-too", null).statusCode()).isEqualTo(404);
    }
}
