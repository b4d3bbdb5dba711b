package io.cm.server.events;

import io.cm.core.event.SessionEventType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One partition on disk: segments that roll by record count and by event time, retention that
 * deletes whole segments only, and a restart that finds the same offsets, cutting off a record torn
 * by a crash.
 */
class PartitionLogTest {

    private static final byte[] TENANT = "demo".getBytes(StandardCharsets.UTF_8);
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private PartitionLog open(int segmentRecords) {
        return PartitionLog.open(dir, segmentRecords, HOUR);
    }

    private static byte[] json(long offset) {
        return ("{\"n\":" + offset + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Adds records {@code from} until {@code to} (their offsets), all at {@code timestamp}, and writes them. */
    private static void add(PartitionLog log, long from, long to, long timestamp) throws IOException {
        for (long offset = from; offset < to; offset++) {
            log.add(offset, timestamp, SessionEventType.HEARTBEAT, TENANT, json(offset));
        }
        log.flush();
    }

    private List<String> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Long> offsets(PartitionLog log, long from) {
        return log.read(from, Integer.MAX_VALUE).stream().map(EventRecord::offset).toList();
    }

    @Test
    void aSegmentRollsWhenItHoldsItsRecordCountAndIsNamedByItsFirstOffset() throws IOException {
        PartitionLog log = open(3);
        add(log, 0, 7, 0);

        assertThat(segmentFiles()).containsExactly(Segment.name(0), Segment.name(3), Segment.name(6));
        List<EventRecord> records = log.read(0, 100);
        assertThat(records).extracting(EventRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(new String(records.get(4).json(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":4}");
        assertThat(records.get(4).tenant()).isEqualTo("demo");
        assertThat(records.get(4).type()).isEqualTo(SessionEventType.HEARTBEAT);
        log.close();
    }

    @Test
    void aSegmentRollsWhenItsRecordsSpanItsTime() throws IOException {
        PartitionLog log = PartitionLog.open(dir, 100, 1000);
        add(log, 0, 2, 0);
        add(log, 2, 3, 999);
        add(log, 3, 4, 1000);

        assertThat(segmentFiles()).containsExactly(Segment.name(0), Segment.name(3));
        log.close();
    }

    @Test
    void readsStopAtWhatIsWrittenAndCrossSegments() throws IOException {
        PartitionLog log = open(3);
        add(log, 0, 5, 0);
        log.add(5, 0, SessionEventType.STOPPED, TENANT, json(5));

        assertThat(offsets(log, 2)).as("a staged record is not readable yet").containsExactly(2L, 3L, 4L);
        assertThat(log.read(1, 3)).extracting(EventRecord::offset).containsExactly(1L, 2L, 3L);
        assertThat(log.end()).isEqualTo(5);
        log.flush();
        assertThat(offsets(log, 5)).containsExactly(5L);
        log.close();
    }

    @Test
    void retentionByCountDeletesWholeSegmentsKeepingAtLeastTheCount() throws IOException {
        PartitionLog log = open(3);
        add(log, 0, 10, 0);

        log.trim(5, Long.MIN_VALUE);

        // Dropping [3, 6) too would leave 4 records, fewer than 5: the partition keeps 7.
        assertThat(log.oldest()).isEqualTo(3);
        assertThat(offsets(log, 0)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(segmentFiles()).containsExactly(Segment.name(3), Segment.name(6), Segment.name(9));
        log.close();
    }

    @Test
    void retentionByTimeDeletesOnlySegmentsWhoseNewestRecordIsOlderThanTheCutoff() throws IOException {
        PartitionLog log = open(3);
        add(log, 0, 3, 100);
        add(log, 3, 5, 200);
        add(log, 5, 6, 300);
        add(log, 6, 7, 400);

        log.trim(Long.MAX_VALUE, 300);

        // [3, 6) holds a record at 300, not older than the cutoff: kept whole, with the two at 200.
        assertThat(log.oldest()).isEqualTo(3);
        assertThat(offsets(log, 0)).containsExactly(3L, 4L, 5L, 6L);
        log.close();
    }

    @Test
    void aLastSegmentOlderThanRetentionGoesTooAndThePartitionKeepsItsEndAcrossARestart() throws IOException {
        PartitionLog log = open(10);
        add(log, 0, 3, 100);

        log.trim(Long.MAX_VALUE, 200);

        assertThat(log.oldest()).isEqualTo(3);
        assertThat(log.end()).isEqualTo(3);
        assertThat(log.read(0, 10)).isEmpty();
        log.close();
        PartitionLog reopened = open(10);
        assertThat(reopened.end()).isEqualTo(3);
        add(reopened, 3, 4, 300);
        assertThat(offsets(reopened, 0)).containsExactly(3L);
        reopened.close();
    }

    @Test
    void aRestartFindsTheSameOffsetsRecordsAndRetention() throws IOException {
        PartitionLog log = open(3);
        add(log, 0, 10, 0);
        log.trim(5, Long.MIN_VALUE);
        log.close();

        PartitionLog reopened = open(3);
        assertThat(reopened.oldest()).isEqualTo(3);
        assertThat(reopened.end()).isEqualTo(10);
        add(reopened, 10, 11, 0);
        List<EventRecord> records = reopened.read(0, 100);
        assertThat(records).extracting(EventRecord::offset).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(records).allSatisfy(record -> assertThat(new String(record.json(), StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":" + record.offset() + "}"));
        reopened.close();
    }

    @Test
    void aRecordTornByACrashIsCutOffOnRestartAndTheNextRecordTakesItsOffset() throws IOException {
        PartitionLog log = open(100);
        add(log, 0, 3, 0);
        log.close();
        // The crash came in the middle of the next write: half a record at the end of the file.
        ByteBuffer record = ByteBuffer.allocate(RecordCodec.size(TENANT, json(3)));
        RecordCodec.encode(record, 0, SessionEventType.STARTED, TENANT, json(3));
        appendToLastSegment(record.flip().limit(record.capacity() / 2));

        PartitionLog reopened = open(100);
        assertThat(reopened.end()).isEqualTo(3);
        add(reopened, 3, 4, 0);

        List<EventRecord> records = reopened.read(0, 100);
        assertThat(records).extracting(EventRecord::offset).containsExactly(0L, 1L, 2L, 3L);
        assertThat(new String(records.get(3).json(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":3}");
        reopened.close();
    }

    @Test
    void aRecordWithABadChecksumAndEverythingAfterItAreCutOffOnRestart() throws IOException {
        PartitionLog log = open(100);
        add(log, 0, 3, 0);
        log.close();
        Path file = dir.resolve(Segment.name(0));
        byte[] bytes = Files.readAllBytes(file);
        int second = RecordCodec.size(TENANT, json(0));
        bytes[second + RecordCodec.HEADER + 3] ^= 0x5a;
        Files.write(file, bytes);

        PartitionLog reopened = open(100);

        assertThat(reopened.end()).isEqualTo(1);
        assertThat(offsets(reopened, 0)).containsExactly(0L);
        reopened.close();
    }

    @Test
    void aWriteThatFailedLeavesAGapThatReadersSkipTo() throws IOException {
        PartitionLog log = open(100);
        add(log, 0, 2, 0);
        log.add(2, 0, SessionEventType.HEARTBEAT, TENANT, json(2));
        log.discardStaged();
        add(log, 3, 5, 0);

        assertThat(offsets(log, 2)).as("offset 2 was lost: readers see the next one").containsExactly(3L, 4L);
        assertThat(offsets(log, 0)).containsExactly(0L, 1L, 3L, 4L);
        log.close();
    }

    private void appendToLastSegment(ByteBuffer bytes) throws IOException {
        List<String> files = segmentFiles();
        try (FileChannel channel = FileChannel.open(dir.resolve(files.getLast()), StandardOpenOption.APPEND)) {
            channel.write(bytes);
        }
    }
}
