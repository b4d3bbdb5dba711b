package io.cm.server.events;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

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

    private static volatile Second cached = new Second(Long.MIN_VALUE, new char[0]);

    private EventTimestamps() {
    }

    public static String format(long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000L);
        int millis = (int) Math.floorMod(epochMillis, 1000L);
        Second second = cached;
        if (second.epochSecond() != epochSecond) {
            second = new Second(epochSecond, (TO_THE_SECOND.format(Instant.ofEpochSecond(epochSecond)) + '.').toCharArray());
            cached = second;
        }
        char[] prefix = second.text();
        char[] text = Arrays.copyOf(prefix, prefix.length + 4);
        text[prefix.length] = (char) ('0' + millis / 100);
        text[prefix.length + 1] = (char) ('0' + millis / 10 % 10);
        text[prefix.length + 2] = (char) ('0' + millis % 10);
        text[prefix.length + 3] = 'Z';
        return new String(text);
    }

    /** {@code text}: the timestamp up to and including the dot before the milliseconds; never modified. */
    private record Second(long epochSecond, char[] text) {
    }
}
