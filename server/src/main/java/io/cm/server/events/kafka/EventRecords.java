package io.cm.server.events.kafka;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.EventJson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A session event as a Kafka record: keyed by visitor ({@code idp}, newline, {@code subject}; both
 * are free of control characters), so the default partitioner keeps a visitor's events in one
 * partition and in order; the value is the JSON the live stream sends (SPEC §5), encoded once by
 * the publishing node (the event's own timestamp is in it); headers {@code tenant} and {@code type} let a stream filter without parsing it.
 */
final class EventRecords {

    private static final String TENANT = "tenant";
    private static final String TYPE = "type";
    private static final Map<String, SessionEventType> TYPES = Arrays.stream(SessionEventType.values())
            .collect(Collectors.toUnmodifiableMap(SessionEventType::wireName, Function.identity()));

    private EventRecords() {
    }

    static ProducerRecord<byte[], byte[]> of(String topic, SessionEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TENANT, event.tenant().getBytes(StandardCharsets.UTF_8));
        headers.add(TYPE, event.type().wireName().getBytes(StandardCharsets.UTF_8));
        byte[] key = (event.idp() + '\n' + event.subject()).getBytes(StandardCharsets.UTF_8);
        // No timestamp of ours: the producer's wall clock dates the record, and the broker's retention
        // counts from it, whatever a node's (or a test's) business clock says.
        return new ProducerRecord<>(topic, null, null, key, EventJson.encode(event), headers);
    }

    /** Whether {@code stream} carries {@code record}: its tenant's, of one of its types. */
    static boolean carries(LiveStreamSettings stream, ConsumerRecord<byte[], byte[]> record) {
        Header tenant = record.headers().lastHeader(TENANT);
        Header type = record.headers().lastHeader(TYPE);
        if (tenant == null || type == null) return false;
        SessionEventType eventType = TYPES.get(new String(type.value(), StandardCharsets.UTF_8));
        return eventType != null && stream.carries(new String(tenant.value(), StandardCharsets.UTF_8), eventType);
    }
}
