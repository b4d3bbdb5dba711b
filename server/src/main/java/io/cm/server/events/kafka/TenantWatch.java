package io.cm.server.events.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which tenants ever had an event, on any node (SPEC §6 503): read from the compacted tenants topic,
 * one record per tenant, from its beginning and then as it grows, by a consumer of its own (no
 * group, nothing committed). Tenants this node publishes are added at once.
 */
final class TenantWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TenantWatch.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final Thread reader;
    private volatile boolean closing;

    private TenantWatch(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        this.reader = Thread.ofPlatform().name("cm-kafka-tenants").daemon().unstarted(this::run);
    }

    static TenantWatch start(String bootstrap, String tenantsTopic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "cm-tenants",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(tenantsTopic, 0)));
        TenantWatch watch = new TenantWatch(consumer);
        watch.reader.start();
        return watch;
    }

    boolean hasEvents(String tenant) {
        return tenants.contains(tenant);
    }

    void seen(String tenant) {
        tenants.add(tenant);
    }

    private void run() {
        try {
            while (!closing) {
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        if (record.key() != null) tenants.add(new String(record.key(), StandardCharsets.UTF_8));
                    }
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("Reading the tenants topic failed; trying again: {}", e.toString());
                    sleep();
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
