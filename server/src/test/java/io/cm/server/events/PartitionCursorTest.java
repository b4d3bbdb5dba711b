package io.cm.server.events;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream's place in a partition: after a clean end the next owner continues after what the
 * socket took; after an unclean one it repeats what was acknowledged within the replay margin, and
 * a chain of short connections repeats no more than that.
 */
class PartitionCursorTest {

    private static final long OWNER = 1;
    private static final long SUCCESSOR = 2;
    private static final long THIRD = 3;
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private final PartitionCursor cursor = new PartitionCursor(100, MARGIN);

    private static long seconds(long s) {
        return TimeUnit.SECONDS.toNanos(s);
    }

    /** The owner claims and writes {@code from} until {@code to}; the write completes at {@code second}. */
    private void send(long owner, long from, long to, long second) {
        assertThat(cursor.advance(owner, from, to)).isTrue();
        cursor.acknowledged(owner, to, seconds(second));
    }

    @Test
    void onlyTheOwnerReadsAndClaimsRecordsAndAStaleClaimFails() {
        cursor.handOver(OWNER, seconds(0), true);

        assertThat(cursor.next(SUCCESSOR)).isEmpty();
        assertThat(cursor.next(OWNER)).hasValue(100);
        assertThat(cursor.advance(SUCCESSOR, 100, 110)).isFalse();
        assertThat(cursor.advance(OWNER, 100, 110)).isTrue();
        assertThat(cursor.advance(OWNER, 100, 120)).as("claimed already").isFalse();
        assertThat(cursor.next(OWNER)).hasValue(110);
    }

    @Test
    void anAcknowledgedWriteIsCommittedOnceTheMarginHasPassed() {
        cursor.handOver(OWNER, seconds(0), true);
        send(OWNER, 100, 110, 1);

        assertThat(cursor.committed(seconds(5))).isEqualTo(100);
        assertThat(cursor.committed(seconds(11))).isEqualTo(110);
    }

    @Test
    void afterACleanEndTheNextOwnerContinuesAfterTheAcknowledgedRecordsAndRepeatsOnlyWritesInFlight() {
        cursor.handOver(OWNER, seconds(0), true);
        send(OWNER, 100, 110, 1);
        assertThat(cursor.advance(OWNER, 110, 115)).as("claimed, its write not completed").isTrue();

        cursor.handOver(SUCCESSOR, seconds(2), true);

        assertThat(cursor.next(SUCCESSOR)).hasValue(110);
        assertThat(cursor.committed(seconds(2))).as("kept if the stream stops here").isEqualTo(110);
    }

    @Test
    void afterAnUncleanEndTheNextOwnerRepeatsWhatWasAcknowledgedWithinTheMargin() {
        cursor.handOver(OWNER, seconds(0), true);
        send(OWNER, 100, 110, 1);
        send(OWNER, 110, 120, 8);

        cursor.handOver(SUCCESSOR, seconds(12), false);

        assertThat(cursor.next(SUCCESSOR)).hasValue(110);
        cursor.acknowledged(OWNER, 130, seconds(13));
        assertThat(cursor.committed(seconds(60))).as("the old owner's late write is ignored").isEqualTo(120);
    }

    @Test
    void aChainOfShortUncleanConnectionsRepeatsOnlyTheLastMarginsRecords() {
        cursor.handOver(OWNER, seconds(0), true);
        send(OWNER, 100, 110, 1);
        cursor.handOver(SUCCESSOR, seconds(2), false);
        send(SUCCESSOR, 100, 120, 3);
        cursor.handOver(THIRD, seconds(12), false);

        assertThat(cursor.next(THIRD)).as("the first owner's write passed the margin").hasValue(110);
    }

    @Test
    void writesWithinOneSecondShareOneSampleDatedByTheLatest() {
        cursor.handOver(OWNER, seconds(0), true);
        cursor.advance(OWNER, 100, 120);
        cursor.acknowledged(OWNER, 110, seconds(10));
        cursor.acknowledged(OWNER, 120, seconds(10) + TimeUnit.MILLISECONDS.toNanos(900));

        assertThat(cursor.committed(seconds(20))).as("the later write is not yet past the margin").isEqualTo(100);
        assertThat(cursor.committed(seconds(21))).isEqualTo(120);
    }

    @Test
    void skippingPastALossCommitsAtOnce() {
        cursor.handOver(OWNER, seconds(0), true);

        assertThat(cursor.skip(OWNER, 90, 150)).as("not where the cursor is").isFalse();
        assertThat(cursor.skip(OWNER, 100, 150)).isTrue();
        assertThat(cursor.committed(seconds(0))).isEqualTo(150);
        assertThat(cursor.next(OWNER)).hasValue(150);
    }
}
