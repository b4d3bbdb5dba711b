package io.cm.server.report;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class IntervalTimesTest {

    @Test
    void writesWhatInstantToStringWrites() {
        IntervalTimes times = new IntervalTimes();
        Random random = new Random(7);
        long start = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 100_000; i++) {
            long millis = start + (random.nextLong() & Long.MAX_VALUE) % 400_000_000_000L;
            if (i % 3 == 0) millis -= millis % 60_000;
            assertThat(times.format(millis)).isEqualTo(Instant.ofEpochMilli(millis).toString());
        }
    }
}
