package io.cm.server.store.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A Redis Cluster of three masters (no replicas) on free loopback ports, built with {@code redis-cli --cluster create}. */
final class RedisClusterProcesses implements AutoCloseable {

    private final List<RedisServerProcess> nodes;

    private RedisClusterProcesses(List<RedisServerProcess> nodes) {
        this.nodes = nodes;
    }

    static RedisClusterProcesses start() throws InterruptedException {
        List<RedisServerProcess> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(RedisServerProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
        }
        RedisClusterProcesses cluster = new RedisClusterProcesses(nodes);
        List<String> create = new ArrayList<>(List.of("--cluster", "create"));
        nodes.forEach(node -> create.add(node.address()));
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String created = nodes.getFirst().cli(create.toArray(String[]::new));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!nodes.stream().allMatch(node -> node.cli("CLUSTER", "INFO").contains("cluster_state:ok"))) {
            if (Instant.now().isAfter(deadline)) {
                cluster.close();
                throw new IllegalStateException("the cluster did not form: " + created);
            }
            Thread.sleep(50);
        }
        return cluster;
    }

    /** One seed node: the server finds the others itself. */
    String url() {
        return nodes.getFirst().url();
    }

    /** Keys held by each node (they differ: the data is spread over the cluster). */
    List<Long> keysPerNode() {
        return nodes.stream().map(node -> Long.parseLong(node.cli("DBSIZE"))).toList();
    }

    /** Whether {@code key} exists on the node that holds its slot (the others answer a redirection). */
    boolean exists(String key) {
        return nodes.stream().anyMatch(node -> node.cli("EXISTS", key).equals("1"));
    }

    /** The cluster slot of {@code key}. */
    long slot(String key) {
        return Long.parseLong(nodes.getFirst().cli("CLUSTER", "KEYSLOT", key));
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::close);
    }
}
