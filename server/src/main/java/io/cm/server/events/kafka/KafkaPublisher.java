package io.cm.server.events.kafka;

import io.cm.core.event.SessionEvent;
import io.cm.server.events.EventCounters;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Publishes this node's session events (SPEC §8) with an idempotent producer, keyed by visitor.
 *
 * <p>{@link #append} runs on the deciding thread and only offers the event to a bounded outbox; one
 * sender thread encodes and hands events to the producer. The producer may wait for the broker
 * (metadata, a full buffer): only the sender waits, decisions never do. While the broker is away,
 * events wait in the producer's buffer (they do not expire) and then in the outbox; past both,
 * an event is dropped, counted in {@code cm_events_dropped_total} and logged.
 *
 * <p>The first event of each tenant on this node is also announced on the tenants topic, so that
 * every node knows which streams have ever had an event (SPEC §6 503).
 */
final class KafkaPublisher implements AutoCloseable {

    /** About a second of events at 64k/s, beyond the producer's own buffer (32 MiB). */
    private static final int OUTBOX_CAPACITY = 1 << 16;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
    private static final long POLL_MILLIS = 100;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String topic;
    private final String tenantsTopic;
    private final Producer<byte[], byte[]> producer;
    private final Consumer<String> tenantSeen;
    private final BlockingQueue<SessionEvent> outbox = new ArrayBlockingQueue<>(OUTBOX_CAPACITY);
    /** Tenants this node has published an event of (told to {@code tenantSeen} once). */
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    /** Tenants announced on the tenants topic by the sender; a failed announcement is forgotten. */
    private final Set<String> onTenantsTopic = ConcurrentHashMap.newKeySet();
    private final EventCounters counters = new EventCounters(LOG, "Kafka");
    private final Thread sender;
    private volatile boolean closing;

    private KafkaPublisher(String topic, String tenantsTopic, Producer<byte[], byte[]> producer,
                           Consumer<String> tenantSeen) {
        this.topic = topic;
        this.tenantsTopic = tenantsTopic;
        this.producer = producer;
        this.tenantSeen = tenantSeen;
        this.sender = Thread.ofPlatform().name("cm-kafka-publisher").daemon().unstarted(this::run);
    }

    /** {@code tenantSeen} learns each tenant this node publishes, at once (before the broker has it). */
    static KafkaPublisher start(String bootstrap, String topic, String tenantsTopic, Consumer<String> tenantSeen) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "cm-events",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // Events wait for a broker that is away instead of expiring; the buffer and the outbox bound them.
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        KafkaPublisher publisher = new KafkaPublisher(topic, tenantsTopic,
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()), tenantSeen);
        publisher.sender.start();
        return publisher;
    }

    void bindTo(MeterRegistry metrics) {
        counters.bindTo(metrics, outbox::size);
    }

    void append(SessionEvent event) {
        if (!closing && outbox.offer(event)) {
            if (seen.add(event.tenant())) tenantSeen.accept(event.tenant());
        } else {
            counters.lost(event.hitId(), closing ? "the publisher is closed" : "the outbox is full (the broker is away or slow)");
        }
    }

    private void run() {
        while (!closing || !outbox.isEmpty()) {
            try {
                SessionEvent event = outbox.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (event != null) send(event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Kafka publisher failed", e);
            }
        }
    }

    private void send(SessionEvent event) {
        boolean handed = offer(EventRecords.of(topic, event), (metadata, error) -> {
            if (error == null) {
                counters.stored(1);
            } else {
                counters.lost(event.hitId(), error.toString());
            }
        });
        if (!handed) {
            counters.lost(event.hitId(), closing ? "the broker was unreachable at shutdown" : "the producer refused it");
            return;
        }
        String tenant = event.tenant();
        if (onTenantsTopic.add(tenant)) {
            // Announced again with the tenant's next event if this one fails.
            offer(new ProducerRecord<>(tenantsTopic, tenant.getBytes(StandardCharsets.UTF_8), new byte[0]),
                    (metadata, error) -> {
                        if (error != null) onTenantsTopic.remove(tenant);
                    });
        }
    }

    /**
     * Hands {@code record} to the producer, waiting (this thread only) while the broker is away; false
     * if it could not. The producer reports a record it could not even queue (no metadata, a full
     * buffer, within {@code max.block.ms}) through the callback at once, on this thread: such a
     * record is offered again instead of being reported lost.
     */
    private boolean offer(ProducerRecord<byte[], byte[]> record, Callback callback) {
        while (true) {
            AtomicBoolean queued = new AtomicBoolean();
            AtomicBoolean refusedForNow = new AtomicBoolean();
            try {
                producer.send(record, (metadata, error) -> {
                    if (!queued.get() && error instanceof TimeoutException) {
                        refusedForNow.set(true);
                    } else {
                        callback.onCompletion(metadata, error);
                    }
                });
                queued.set(true);
                if (!refusedForNow.get()) return true;
            } catch (KafkaException e) {
                LOG.warn("Kafka producer refused a record to {}: {}", record.topic(), e.toString());
                return false;
            }
            if (closing) return false;
        }
    }

    /** Sends what is queued (within a bounded time), then closes the producer. */
    @Override
    public void close() {
        closing = true;
        try {
            sender.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) LOG.error("Kafka publisher did not send its outbox within {}", CLOSE_TIMEOUT);
        producer.close(CLOSE_TIMEOUT);
    }
}
