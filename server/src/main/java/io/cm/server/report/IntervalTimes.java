package io.cm.server.report;

import java.time.LocalDate;

/**
 * Interval starts as ISO-8601 UTC text ({@code 2026-03-01T10:00:00Z}, milliseconds only when not
 * zero), as {@link java.time.Instant#toString()} writes them, several times faster: reports write
 * one per row, and consecutive rows share their date. One instance per report (not thread-safe).
 */
final class IntervalTimes {

    private static final long DAY = 86_400_000L;

    private long day = Long.MIN_VALUE;
    private String date;

    String format(long millis) {
        long days = Math.floorDiv(millis, DAY);
        if (days != day) {
            day = days;
            date = LocalDate.ofEpochDay(days).toString();
        }
        int ofDay = (int) (millis - days * DAY);
        StringBuilder text = new StringBuilder(24).append(date).append('T');
        two(text, ofDay / 3_600_000).append(':');
        two(text, ofDay / 60_000 % 60).append(':');
        two(text, ofDay / 1000 % 60);
        int ms = ofDay % 1000;
        if (ms != 0) text.append('.').append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                .append((char) ('0' + ms % 10));
        return text.append('Z').toString();
    }

    private static StringBuilder two(StringBuilder text, int value) {
        return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}
