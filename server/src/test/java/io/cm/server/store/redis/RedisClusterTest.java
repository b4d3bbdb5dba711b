package io.cm.server.store.redis;

import io.cm.core.session.SubjectKey;
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
 * Two nodes on a Redis Cluster of three masters, found from one seed URL: a subject is one hash (one
 * slot), decisions stay atomic across nodes, and expiry works with the due index spread over the cluster.
 */
class RedisClusterTest {

    private static final String APP = "demo-app";
    private static RedisClusterProcesses cluster;
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() throws InterruptedException {
        cluster = RedisClusterProcesses.start();
        Map<String, String> env = Map.of("CM_STORE", "redis", "CM_REDIS_URL", cluster.url(),
                "CM_ID_SECRET", "the-secret-every-node-shares", "CM_THROTTLING_INITS_PER_WINDOW", "1000000");
        a = TestServer.demo(env);
        b = TestServer.demo(env);
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        cluster.close();
    }

    private static HttpResponse<String> init(TestServer node, String subject, String device) {
        return node.send(node.as(APP, "/v2/sessions/idp/" + subject + "?deviceId=" + device)
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    @Test
    void aSubjectIsOneHashHoldingItsSessionsTimesAndRequestBudgets() {
        String id = init(a, "one-hash", "tv").headers().firstValue("Location").orElseThrow();
        assertThat(b.post(APP, "/v2/sessions/idp/one-hash/" + id).statusCode()).isEqualTo(202);

        assertThat(cluster.hashFields(RedisKeys.subject(new SubjectKey("idp", "one-hash"))))
                .containsExactlyInAnyOrder("v", "s", "d", "p", "i", "t:" + id, "b:" + id);
    }

    @Test
    void twoHundredSimultaneousInitsOverTwoNodesAdmitExactlyThree() throws Exception {
        for (int round = 0; round < 3; round++) {
            List<HttpRequest> inits = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                TestServer node = i % 2 == 0 ? a : b;
                inits.add(node.as(APP, "/v2/sessions/idp/clustered-" + round + "?deviceId=d" + i)
                        .POST(HttpRequest.BodyPublishers.noBody()).build());
            }
            List<Integer> statuses = TwoNodes.simultaneously(inits).stream().map(HttpResponse::statusCode).toList();
            assertThat(statuses.stream().filter(s -> s == 202).count()).as("round %d", round).isEqualTo(3);
            assertThat(statuses.stream().filter(s -> s == 409).count()).as("round %d", round).isEqualTo(197);
        }
        assertThat(cluster.keysPerNode()).as("keys on every master").allMatch(keys -> keys > 0);
    }

    @Test
    void aSessionStartedOnOneNodeIsKilledFromTheOtherAndExpiresThroughTheDueIndex() throws Exception {
        HttpResponse<String> first = init(a, "mover", "tv");
        String victim = first.headers().firstValue("Location").orElseThrow();
        init(a, "mover", "phone");
        init(b, "mover", "tablet");
        String code = null;
        for (var stream : json(b.get(APP, "/v2/runningStreams/idp/mover")).path("runningStreams")) {
            if (stream.path("sessionId").asText().equals(victim)) code = stream.path("terminationCode").asText();
        }
        HttpResponse<String> killer = b.send(b.as(APP, "/v2/sessions/idp/mover?deviceId=laptop")
                .header("X-Terminate", code).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(killer.statusCode()).as(killer.body()).isEqualTo(202);
        assertThat(a.post(APP, "/v2/sessions/idp/mover/" + victim).statusCode()).isEqualTo(410);

        String key = RedisKeys.subject(new SubjectKey("idp", "mover"));
        assertThat(cluster.hashFields(key)).contains("v", "s");
        // Past every session's lifetime and the kill's tombstone: the expiry task (each second) empties the
        // subject; only its init budget is left, until Redis expires it a margin after its window.
        for (TestServer node : List.of(a, b)) node.clock.advance(Duration.ofMinutes(11));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cluster.hashFields(key).equals(List.of("i"))) {
            assertThat(System.nanoTime()).as("expired within 10 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
