package io.cm.server.events.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the Kafka cluster answers, asked every second without blocking anyone: readiness, and the
 * live stream's 503 while the broker is away (SPEC §8).
 */
final class BrokerWatch implements AutoCloseable {

    private static final long PERIOD_MILLIS = 1000;
    private static final int TIMEOUT_MILLIS = 2000;

    private final Admin admin;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("cm-kafka-watch").daemon().factory());
    private volatile boolean reachable = true;

    BrokerWatch(Admin admin) {
        this.admin = admin;
        timer.scheduleAtFixedRate(this::probe, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    boolean reachable() {
        return reachable;
    }

    private void probe() {
        admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MILLIS)).nodes()
                .whenComplete((nodes, error) -> reachable = error == null && !nodes.isEmpty());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
