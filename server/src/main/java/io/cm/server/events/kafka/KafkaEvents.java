package io.cm.server.events.kafka;

import io.cm.core.event.SessionEvent;
import io.cm.server.config.DeliverySettings;
import io.cm.server.config.KafkaSettings;
import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.EventBackend;
import io.cm.server.events.StreamGroup;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Session events through Apache Kafka, for many nodes (SPEC §8): every node publishes what it
 * decides to one topic, and the live stream is served from it on every node, the live connections
 * of a stream forming one consumer group wherever they are connected.
 *
 * <p>At start-up the topic is created if missing, with {@code delivery.partitions} partitions and
 * {@code delivery.retention-time} as its retention, beside a compacted {@code <topic>.tenants}
 * topic that records which tenants ever had an event. A broker unreachable at start-up fails the
 * start; one that goes away later only delays events (see {@link KafkaPublisher}).
 */
public final class KafkaEvents implements EventBackend {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEvents.class);
    private static final long STARTUP_TIMEOUT_SECONDS = 15;

    private final KafkaSettings kafka;
    private final DeliverySettings delivery;
    private final Clock clock;
    private final Admin admin;
    private final BrokerWatch broker;
    private final TenantWatch tenants;
    private final KafkaPublisher publisher;
    private final Map<String, KafkaStreamGroup> groups = new ConcurrentHashMap<>();
    /** Groups of streams whose settings changed: their members may still be leaving at shutdown. */
    private final Queue<KafkaStreamGroup> retired = new ConcurrentLinkedQueue<>();

    private KafkaEvents(KafkaSettings kafka, DeliverySettings delivery, Clock clock, Admin admin) {
        this.kafka = kafka;
        this.delivery = delivery;
        this.clock = clock;
        this.admin = admin;
        this.broker = new BrokerWatch(admin);
        this.tenants = TenantWatch.start(kafka.bootstrap(), tenantsTopic(kafka));
        this.publisher = KafkaPublisher.start(kafka.bootstrap(), kafka.topic(), tenantsTopic(kafka), tenants::seen);
    }

    /** Connects, creates the topics if missing, and starts publishing. */
    public static KafkaEvents open(KafkaSettings kafka, DeliverySettings delivery, Clock clock) {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                AdminClientConfig.CLIENT_ID_CONFIG, "cm-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(STARTUP_TIMEOUT_SECONDS),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(STARTUP_TIMEOUT_SECONDS)));
        try {
            ensureTopics(admin, kafka, delivery);
            return new KafkaEvents(kafka, delivery, clock, admin);
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
    }

    static String tenantsTopic(KafkaSettings kafka) {
        return kafka.topic() + ".tenants";
    }

    private static void ensureTopics(Admin admin, KafkaSettings kafka, DeliverySettings delivery) {
        NewTopic events = new NewTopic(kafka.topic(), Optional.of(delivery.partitions()), Optional.empty())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(delivery.retentionTime().toMillis())));
        NewTopic tenants = new NewTopic(tenantsTopic(kafka), Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            for (NewTopic topic : List.of(events, tenants)) {
                try {
                    admin.createTopics(List.of(topic)).all().get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    LOG.info("Created Kafka topic {} with {} partitions", topic.name(), topic.numPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
            TopicDescription existing = admin.describeTopics(List.of(kafka.topic())).allTopicNames()
                    .get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(kafka.topic());
            if (existing.partitions().size() < delivery.partitions()) {
                LOG.warn("Kafka topic {} has {} partitions, fewer than delivery.partitions {}; a stream's connections "
                        + "share those {}", kafka.topic(), existing.partitions().size(), delivery.partitions(),
                        existing.partitions().size());
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Kafka at " + kafka.bootstrap() + " is unreachable or refused topic "
                    + kafka.topic() + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while setting up Kafka topic " + kafka.topic(), e);
        }
    }

    @Override
    public void append(SessionEvent event) {
        publisher.append(event);
    }

    @Override
    public StreamGroup group(LiveStreamSettings stream) {
        // Positions are the Kafka group's commits, by name: a replacing group continues from them.
        return groups.compute(stream.name(), (name, current) -> {
            if (current != null && current.settings().equals(stream)) return current;
            if (current != null) retired.add(current);
            return new KafkaStreamGroup(stream, kafka, delivery, clock, admin, broker, tenants);
        });
    }

    @Override
    public boolean ready() {
        return broker.reachable();
    }

    @Override
    public void bindTo(MeterRegistry metrics) {
        publisher.bindTo(metrics);
    }

    @Override
    public void close() {
        groups.values().forEach(KafkaStreamGroup::close);
        retired.forEach(KafkaStreamGroup::close);
        publisher.close();
        tenants.close();
        broker.close();
        admin.close();
    }
}
