package io.cm.core.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The length of a report interval. Intervals are aligned in UTC: days start at 00:00Z, months on the 1st. */
public enum Granularity {
    MINUTE, HOUR, DAY, MONTH;

    /** Start (epoch ms) of the interval holding {@code millis}. */
    public long start(long millis) {
        return switch (this) {
            case MINUTE -> Math.floorDiv(millis, 60_000L) * 60_000L;
            case HOUR -> Math.floorDiv(millis, 3_600_000L) * 3_600_000L;
            case DAY -> Math.floorDiv(millis, 86_400_000L) * 86_400_000L;
            case MONTH -> {
                LocalDate day = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate();
                yield day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
        };
    }

    /** Start of the interval after the one starting at {@code start}. */
    public long next(long start) {
        return switch (this) {
            case MINUTE -> start + 60_000L;
            case HOUR -> start + 3_600_000L;
            case DAY -> start + 86_400_000L;
            case MONTH -> ZonedDateTime.ofInstant(Instant.ofEpochMilli(start), ZoneOffset.UTC)
                    .plus(1, ChronoUnit.MONTHS).toInstant().toEpochMilli();
        };
    }

    /** As the query parameter names it: {@code minute}, {@code hour}, {@code day}, {@code month}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
