package io.cm.server.events;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Event timestamps as the live stream writes them: ISO-8601 UTC with milliseconds,
 * {@code 2026-11-27T17:43:12.345Z}. The text up to the second is formatted once per second and
 * kept, since events come in time order: nearly every call only appends the milliseconds. Safe
 * from any thread: the cache is one immutable value in a volatile field, and a stale one is only
 * formatted again.
 */
public final class EventTimestamps {

    private static final DateTimeFormatter TO_THE_SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private static volatile Second cached = new Second(Long.MIN_VALUE, "");

    private EventTimestamps() {
    }

    public static String format(long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000L);
        int millis = (int) Math.floorMod(epochMillis, 1000L);
        Second second = cached;
        if (second.epochSecond() != epochSecond) {
            second = new Second(epochSecond, TO_THE_SECOND.format(Instant.ofEpochSecond(epochSecond)) + '.');
            cached = second;
        }
        StringBuilder text = new StringBuilder(second.text().length() + 4).append(second.text());
        if (millis < 100) text.append('0');
        if (millis < 10) text.append('0');
        return text.append(millis).append('Z').toString();
    }

    private record Second(long epochSecond, String text) {
    }
}
