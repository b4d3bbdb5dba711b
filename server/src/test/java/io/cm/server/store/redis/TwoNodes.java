package io.cm.server.store.redis;

import io.cm.server.TestServer;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Two server nodes on one redis-server, as two machines of a deployment: in-process, each with its
 * own Vert.x, port, data directory and clock, sharing only Redis and the session id secret.
 */
final class TwoNodes implements AutoCloseable {

    final RedisServerProcess redis;
    final TestServer a;
    final TestServer b;

    private TwoNodes(RedisServerProcess redis, TestServer a, TestServer b) {
        this.redis = redis;
        this.a = a;
        this.b = b;
    }

    static TwoNodes start(Map<String, String> env) {
        RedisServerProcess redis = RedisServerProcess.start();
        Map<String, String> shared = new HashMap<>(env);
        shared.putAll(onRedis(redis));
        return new TwoNodes(redis, TestServer.demo(shared), TestServer.demo(shared));
    }

    /** What makes a server use {@code redis}. */
    static Map<String, String> onRedis(RedisServerProcess redis) {
        return Map.of("CM_STORE", "redis", "CM_REDIS_URL", redis.url(),
                "CM_ID_SECRET", "the-secret-every-node-shares");
    }

    /** Node {@code a} for even {@code i}, {@code b} for odd: requests spread evenly. */
    TestServer node(int i) {
        return i % 2 == 0 ? a : b;
    }

    /** Sends all requests at the same moment (as far as a client can) and returns the responses in order. */
    static List<HttpResponse<String>> simultaneously(List<HttpRequest> requests) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(32);
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            CompletableFuture<Void> gate = new CompletableFuture<>();
            List<CompletableFuture<HttpResponse<String>>> responses = requests.stream()
                    .map(request -> gate.thenComposeAsync(
                            v -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()), executor))
                    .toList();
            gate.complete(null);
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            return responses.stream().map(CompletableFuture::join).toList();
        } finally {
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
        redis.close();
    }
}
