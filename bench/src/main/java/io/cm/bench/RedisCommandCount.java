package io.cm.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Counts the commands a Redis server ran, from its {@code INFO commandstats}. Commands a script runs
 * are counted under their own names as well, so a script call shows as {@code evalsha} plus its
 * inner commands; round trips are the top-level calls ({@code evalsha}, and a {@code zadd}
 * pipelined with one).
 */
final class RedisCommandCount implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;

    private RedisCommandCount(RedisClient client) {
        this.client = client;
        this.connection = client.connect();
        this.redis = connection.sync();
    }

    static RedisCommandCount connect(String url) {
        return new RedisCommandCount(RedisClient.create(url));
    }

    void reset() {
        redis.configResetstat();
    }

    /** Each command's calls since {@link #reset} divided by {@code requests}, e.g. {@code evalsha=1.00 zadd=0.02}. */
    String perRequest(long requests) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) continue;
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            calls.put(name, Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(','))));
        }
        calls.keySet().removeIf(name -> name.equals("info") || name.startsWith("config"));
        return calls.entrySet().stream()
                .map(e -> String.format("%s=%.2f", e.getKey(), (double) e.getValue() / requests))
                .collect(Collectors.joining(" ")) + " (" + requests + " requests)";
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
