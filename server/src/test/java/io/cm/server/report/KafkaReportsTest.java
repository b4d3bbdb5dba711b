package io.cm.server.report;

import io.cm.server.TestServer;
import io.cm.server.events.kafka.SharedBroker;
import io.cm.server.store.redis.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §10 on many nodes: with Kafka, every node's reports cover what every node decided; a node
 * restarted on its data directory counts nothing twice; a node that starts without saved figures
 * reads them from the topic, each event in its own interval.
 */
class KafkaReportsTest {

    private static final String TOKEN = "kafka-reports-admin-token";
    /**
     * The day's figures once both nodes' events are in: 3 users, 5 sessions (all started), 1 completed,
     * 1 denied, peak 4 (alice's and carol's three).
     */
    private static final String EXPECTED = "2026-01-01T00:00:00Z,3,5,5,1,1,0,0,4";
    private static final Duration STEP = Duration.ofSeconds(10);

    private static HttpResponse<String> report(TestServer node) {
        return node.send(HttpRequest.newBuilder(node.uri("/admin/v1/reports/usage?from=2026-01-01&to=2026-01-02&granularity=day&format=csv"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN).GET());
    }

    /**
     * The day's row once it reads {@link #EXPECTED} (or what it reads after 60 s), moving {@code node}'s
     * clock a second at a time meanwhile, past the reports' lateness (2 s) and well before any expiry (90 s).
     */
    private static String awaitDay(TestServer node) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String row = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = report(node);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<String> lines = response.body().lines().toList();
            row = lines.size() > 1 ? lines.get(1) : "";
            if (row.equals(EXPECTED)) return row;
            node.clock.advance(Duration.ofSeconds(1));
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return row;
    }

    @Test
    void everyNodeReportsEveryNodesEventsOnceAcrossRestartsAndFromScratch() {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Map<String, String> env = new HashMap<>(SharedBroker.onKafka("reports"));
            env.putAll(Map.of("CM_STORE", "redis", "CM_REDIS_URL", redis.url(), "CM_ID_SECRET", "the-secret-every-node-shares",
                    "CM_ADMIN_TOKEN", TOKEN));
            Path dataDirA;
            try (TestServer a = TestServer.demo(env); TestServer b = TestServer.demo(env)) {
                dataDirA = a.dataDir();
                started(a, "demo-app", "/v2/sessions/idp/alice");
                String bob = started(b, "demo-app", "/v2/sessions/idp/bob");
                // Steps of 10 s, on both nodes' clocks: an order across nodes that no arrival order can change.
                a.clock.advance(STEP);
                b.clock.advance(STEP);
                assertThat(b.delete("demo-app", "/v2/sessions/idp/bob/" + bob).statusCode()).isEqualTo(202);
                a.clock.advance(STEP);
                b.clock.advance(STEP);
                for (int i = 0; i < 3; i++) started(i % 2 == 0 ? a : b, "demo-app", "/v2/sessions/idp/carol");
                assertThat(b.post("demo-app", "/v2/sessions/idp/carol").statusCode()).isEqualTo(409);

                assertThat(awaitDay(a)).as("node A counts node B's events too").isEqualTo(EXPECTED);
                assertThat(awaitDay(b)).as("node B counts node A's events too").isEqualTo(EXPECTED);
            }
            try (TestServer restarted = TestServer.demo(env, dataDirA); TestServer fresh = TestServer.demo(env)) {
                assertThat(awaitDay(restarted)).as("from its saved figures and positions: nothing twice").isEqualTo(EXPECTED);
                assertThat(awaitDay(fresh)).as("from the topic's beginning").isEqualTo(EXPECTED);
            }
        }
    }
}
