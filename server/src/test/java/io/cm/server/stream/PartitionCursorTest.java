package io.cm.server.stream;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream's place in a partition: records count as delivered only once they reached the socket
 * the replay margin ago, so whoever owns the partition next sends the more recent ones again.
 */
class PartitionCursorTest {

    private static final long OWNER = 1;
    private static final long SUCCESSOR = 2;
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private final PartitionCursor cursor = new PartitionCursor(100, MARGIN);

    private static long seconds(long s) {
        return TimeUnit.SECONDS.toNanos(s);
    }

    @Test
    void onlyTheOwnerReadsAndClaimsRecordsAndAStaleClaimFails() {
        cursor.handOver(OWNER, seconds(0));

        assertThat(cursor.next(SUCCESSOR)).isEmpty();
        assertThat(cursor.next(OWNER)).hasValue(100);
        assertThat(cursor.advance(SUCCESSOR, 100, 110)).isFalse();
        assertThat(cursor.advance(OWNER, 100, 110)).isTrue();
        assertThat(cursor.advance(OWNER, 100, 120)).as("claimed already").isFalse();
        assertThat(cursor.next(OWNER)).hasValue(110);
    }

    @Test
    void aFlushCountsAsDeliveredOnceTheMarginHasPassed() {
        cursor.handOver(OWNER, seconds(0));
        cursor.advance(OWNER, 100, 110);
        cursor.flushed(OWNER, 110, seconds(1));

        assertThat(cursor.committed(seconds(5))).isEqualTo(100);
        assertThat(cursor.committed(seconds(11))).isEqualTo(110);
    }

    @Test
    void aNewOwnerStartsAtTheCommittedOffsetSoRecentRecordsAreSentAgain() {
        cursor.handOver(OWNER, seconds(0));
        cursor.advance(OWNER, 100, 110);
        cursor.flushed(OWNER, 110, seconds(1));
        cursor.advance(OWNER, 110, 120);
        cursor.flushed(OWNER, 120, seconds(8));

        cursor.handOver(SUCCESSOR, seconds(12));

        assertThat(cursor.next(SUCCESSOR)).hasValue(110);
        cursor.flushed(OWNER, 130, seconds(13));
        assertThat(cursor.committed(seconds(60))).as("the old owner's late flush is ignored").isEqualTo(110);
    }

    @Test
    void flushesWithinOneSecondShareOneSampleDatedByTheLatest() {
        cursor.handOver(OWNER, seconds(0));
        cursor.advance(OWNER, 100, 120);
        cursor.flushed(OWNER, 110, seconds(10));
        cursor.flushed(OWNER, 120, seconds(10) + TimeUnit.MILLISECONDS.toNanos(900));

        assertThat(cursor.committed(seconds(20))).as("the later flush is not yet past the margin").isEqualTo(100);
        assertThat(cursor.committed(seconds(21))).isEqualTo(120);
    }

    @Test
    void skippingPastALossCommitsAtOnce() {
        cursor.handOver(OWNER, seconds(0));

        assertThat(cursor.skip(OWNER, 90, 150)).as("not where the cursor is").isFalse();
        assertThat(cursor.skip(OWNER, 100, 150)).isTrue();
        assertThat(cursor.committed(seconds(0))).isEqualTo(150);
        assertThat(cursor.next(OWNER)).hasValue(150);
    }
}
