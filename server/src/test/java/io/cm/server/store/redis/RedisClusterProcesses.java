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

    /** The field names of the hash {@code key}, read on the node that holds it; empty if there is none. */
    List<String> hashFields(String key) {
        return nodes.stream().filter(node -> node.cli("EXISTS", key).equals("1")).findFirst()
                .map(node -> List.of(node.cli("HKEYS", key).split("\n"))).orElse(List.of());
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::close);
    }
}
