package io.cm.server.stream;

import io.cm.server.TestServer;
import io.cm.server.events.kafka.SharedBroker;
import io.cm.server.store.redis.RedisServerProcess;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two server nodes as two machines of a deployment (SPEC §8): in-process, each with its own Vert.x,
 * port, data directory and clock, sharing one redis-server for sessions and one Kafka broker (a
 * topic of their own) for events. Both run {@link StreamFixture#config} with {@code streams} and a
 * replay margin of a minute.
 */
final class KafkaNodes implements AutoCloseable {

    final RedisServerProcess redis;
    final TestServer a;
    final TestServer b;

    private KafkaNodes(RedisServerProcess redis, TestServer a, TestServer b) {
        this.redis = redis;
        this.a = a;
        this.b = b;
    }

    static KafkaNodes start(String topic, String... streams) {
        RedisServerProcess redis = RedisServerProcess.start();
        Map<String, String> env = new HashMap<>(SharedBroker.onKafka(topic));
        env.putAll(Map.of("CM_STORE", "redis", "CM_REDIS_URL", redis.url(), "CM_ID_SECRET", "the-secret-every-node-shares"));
        // A generous replay margin: records written to a connection that is taken over must still count as
        // unsent however slowly this machine runs the test.
        String config = StreamFixture.config("delivery:\n  replay-margin: 1m\n", streams);
        TestServer a = TestServer.withConfig(config, env);
        return new KafkaNodes(redis, a, TestServer.withConfig(config, env));
    }

    /**
     * Starts a session on each node once both answer 202 (a node's first Redis commands may time out
     * while a loaded machine starts it), so that the demo tenant has had events.
     */
    void awaitWarmedUp() {
        for (TestServer node : List.of(a, b)) {
            StreamFixture.await("a first session on a node", () -> node.post(StreamFixture.DEMO_APP,
                    "/v2/sessions/idp1/warm-up").statusCode() == 202);
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
        redis.close();
    }
}
