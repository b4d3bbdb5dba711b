package io.cm.server.events;

import io.cm.core.ManualClock;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.server.config.DeliverySettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded log: partitions with offsets, retention by count and time, and what survives a restart. */
class EmbeddedEventLogTest {

    private static final int PARTITIONS = 8;
    private static final DeliverySettings SETTINGS = new DeliverySettings(PARTITIONS, Duration.ofHours(1), 1000,
            Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(10));
    private static final int ALICE = new VisitorPartitioner(PARTITIONS).partition("idp1", "alice");

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private SessionEvent event(String hitId) {
        return new SessionEvent(hitId, clock.millis(), SessionEventType.HEARTBEAT, "demo", "demo-app",
                "Demo application", "idp1", "alice", Optional.of("s-1"), Optional.of("K7Q2ZP"), Map.of(),
                Optional.empty(), Optional.empty());
    }

    private EmbeddedEventLog open(DeliverySettings settings) {
        return EmbeddedEventLog.open(dir, settings, clock);
    }

    /** Waits for the writer thread: it stores asynchronously by design. */
    private static List<EventRecord> awaitRecords(EmbeddedEventLog log, long from, int count) {
        await(() -> log.read(ALICE, from, Integer.MAX_VALUE).size() >= count);
        return log.read(ALICE, from, Integer.MAX_VALUE);
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void aVisitorsEventsGetIncreasingOffsetsInItsPartitionAndCountAsAppendedAtOnce() {
        try (EmbeddedEventLog log = open(SETTINGS)) {
            assertThat(log.hasEvents("demo")).isFalse();
            for (int i = 0; i < 5; i++) log.append(event("hit-" + i));

            assertThat(log.end(ALICE)).as("end, before the writer ran").isEqualTo(5);
            assertThat(log.hasEvents("demo")).isTrue();
            List<EventRecord> records = awaitRecords(log, 0, 5);
            assertThat(records).extracting(EventRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(records).extracting(record -> new String(record.json())).allSatisfy(json ->
                    assertThat(json).contains("\"type\":\"session.heartbeat\""));
            assertThat(new String(records.get(3).json())).contains("\"hit_id\":\"hit-3\"");
            assertThat(records).extracting(EventRecord::tenant).containsOnly("demo");
        }
    }

    @Test
    void retentionByCountKeepsTheNewestEventsOfEachPartition() {
        DeliverySettings twoPerPartition = new DeliverySettings(PARTITIONS, Duration.ofHours(1), 2 * PARTITIONS,
                Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(10));
        try (EmbeddedEventLog log = open(twoPerPartition)) {
            for (int i = 0; i < 5; i++) log.append(event("hit-" + i));

            assertThat(awaitRecords(log, 3, 2)).extracting(EventRecord::offset).containsExactly(3L, 4L);
            await(() -> log.oldest(ALICE) == 3);
            assertThat(log.oldest(ALICE)).isEqualTo(3);
            assertThat(log.read(ALICE, 0, 10)).extracting(EventRecord::offset).containsExactly(3L, 4L);
        }
    }

    @Test
    void retentionByTimeRemovesEventsOlderThanTheRetentionTime() {
        try (EmbeddedEventLog log = open(SETTINGS)) {
            log.append(event("old-0"));
            log.append(event("old-1"));
            clock.advance(Duration.ofHours(2));
            log.append(event("new"));
            awaitRecords(log, 2, 1);

            await(() -> log.oldest(ALICE) == 2);

            assertThat(log.oldest(ALICE)).isEqualTo(2);
            assertThat(log.read(ALICE, 0, 10)).extracting(EventRecord::offset).containsExactly(2L);
        }
    }

    @Test
    void recordsOffsetsTenantsAndPositionsSurviveAReopen() {
        StreamPosition position = new StreamPosition(clock.millis(), List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L));
        try (EmbeddedEventLog log = open(SETTINGS)) {
            for (int i = 0; i < 3; i++) log.append(event("hit-" + i));
            log.savePosition("stream", position);
        }

        try (EmbeddedEventLog log = open(SETTINGS)) {
            assertThat(log.read(ALICE, 0, 10)).extracting(EventRecord::offset).containsExactly(0L, 1L, 2L);
            assertThat(log.end(ALICE)).isEqualTo(3);
            assertThat(log.hasEvents("demo")).isTrue();
            assertThat(log.position("stream")).hasValue(position);
            log.append(event("hit-3"));
            assertThat(log.end(ALICE)).isEqualTo(4);
        }
    }

    @Test
    void aLogKeepsThePartitionCountItWasCreatedWith() {
        open(SETTINGS).close();
        DeliverySettings sixteen = new DeliverySettings(16, Duration.ofHours(1), 1000, Duration.ofMinutes(10),
                Duration.ofSeconds(5), Duration.ofSeconds(10));

        try (EmbeddedEventLog log = open(sixteen)) {
            assertThat(log.partitions()).isEqualTo(PARTITIONS);
        }
    }

    @Test
    void anEventThatCannotBeLoggedIsCountedNotSilentlyDropped() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        EmbeddedEventLog log = open(SETTINGS);
        log.bindTo(metrics);
        log.close();

        log.append(event("too-late"));

        assertThat(metrics.get("cm_events_dropped").functionCounter().count()).isEqualTo(1.0);
        assertThat(log.end(ALICE)).isZero();
    }
}
