package io.cm.server.events.kafka;

import io.cm.core.event.SessionEvent;
import io.cm.server.config.KafkaSettings;
import io.cm.server.events.EventJson;
import io.cm.server.events.PositionedEvents;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every event of every node, read from the whole events topic by a consumer of this node's own
 * (all partitions assigned, no group, nothing committed: the reader keeps its positions itself),
 * from the positions it gives, or from the oldest retained record of a partition it never read.
 * While a backlog is caught up, the reader is told how far every partition has come (the
 * {@link PositionedEvents#watermark}), so that old events are not taken for late ones.
 */
public final class KafkaEventTail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventTail.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Map<Integer, Long> from;
    private final PositionedEvents reader;
    private final Thread thread;
    private volatile boolean closing;

    private KafkaEventTail(KafkaConsumer<byte[], byte[]> consumer, String topic, Map<Integer, Long> from,
                           PositionedEvents reader) {
        this.consumer = consumer;
        this.topic = topic;
        this.from = Map.copyOf(from);
        this.reader = reader;
        this.thread = Thread.ofPlatform().name("cm-kafka-tail").daemon().unstarted(this::run);
    }

    /** Starts reading {@code kafka}'s topic; {@code from}: partition → the next offset to read. */
    public static KafkaEventTail start(KafkaSettings kafka, Map<Integer, Long> from, PositionedEvents reader) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                ConsumerConfig.CLIENT_ID_CONFIG, "cm-event-tail",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // A position the retention has passed restarts at the oldest record kept.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaEventTail tail = new KafkaEventTail(consumer, kafka.topic(), from, reader);
        tail.thread.start();
        return tail;
    }

    private void run() {
        try {
            Map<TopicPartition, Long> behind = null;
            while (behind == null) {
                if (closing) return;
                try {
                    behind = assign();
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("The events topic cannot be read for the usage reports yet; trying again: {}", e.toString());
                    Thread.sleep(POLL.toMillis());
                }
            }
            Map<TopicPartition, Long> reached = new HashMap<>();
            long watermark = Long.MIN_VALUE;
            while (!closing) {
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        SessionEvent event = decode(record);
                        if (event == null) continue;
                        reader.event(record.partition(), record.offset(), event);
                        reached.put(new TopicPartition(record.topic(), record.partition()), event.timestamp());
                    }
                    behind.entrySet().removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
                    long next = behind.keySet().stream().mapToLong(p -> reached.getOrDefault(p, Long.MIN_VALUE))
                            .min().orElse(Long.MAX_VALUE);
                    if (next != watermark) {
                        watermark = next;
                        reader.watermark(next);
                    }
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("Reading the events topic for the usage reports failed; trying again: {}", e.toString());
                    Thread.sleep(POLL.toMillis());
                }
            }
        } catch (InterruptedException | WakeupException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Assigns every partition at its position; the end offsets of the partitions that have a backlog. */
    private Map<TopicPartition, Long> assign() throws InterruptedException {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        while (infos == null || infos.isEmpty()) {
            if (closing) throw new InterruptedException("closed before the topic was found");
            Thread.sleep(POLL.toMillis());
            infos = consumer.partitionsFor(topic);
        }
        List<TopicPartition> partitions = infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        for (TopicPartition partition : partitions) {
            Long next = from.get(partition.partition());
            if (next == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, next);
            }
        }
        Map<TopicPartition, Long> behind = new HashMap<>(consumer.endOffsets(partitions));
        behind.entrySet().removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
        return behind;
    }

    private static SessionEvent decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return EventJson.decodeWithoutEvaluation(record.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipping record {} of partition {}: not a session event ({})", record.offset(), record.partition(),
                    e.getMessage());
            return null;
        }
    }

    /** Stops reading; what was not read yet is read by the next tail from the reader's positions. */
    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
