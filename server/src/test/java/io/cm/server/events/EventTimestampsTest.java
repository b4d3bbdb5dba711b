package io.cm.server.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The cached formatter writes what a DateTimeFormatter writes, within a second, across seconds and out of order. */
class EventTimestampsTest {

    private static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static String reference(long millis) {
        return REFERENCE.format(Instant.ofEpochMilli(millis));
    }

    @Test
    void everyMillisecondOfASecondAndItsNeighboursReadAsIsoUtcWithThreeDigits() {
        long second = Instant.parse("2026-11-27T17:43:12Z").toEpochMilli();
        for (long millis = second - 5; millis < second + 1005; millis++) {
            assertThat(EventTimestamps.format(millis)).isEqualTo(reference(millis));
        }
        assertThat(EventTimestamps.format(second + 7)).isEqualTo("2026-11-27T17:43:12.007Z");
    }

    @Test
    void timestampsOutOfOrderAndBeforeTheEpochAreFormattedLikeTheReference() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long millis = random.nextLong(-10_000_000_000L, 10_000_000_000_000L);
            assertThat(EventTimestamps.format(millis)).isEqualTo(reference(millis));
        }
        assertThat(EventTimestamps.format(-1)).isEqualTo("1969-12-31T23:59:59.999Z");
    }
}
