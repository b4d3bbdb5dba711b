package io.cm.server.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * HTTP dates (RFC 1123, GMT) for {@code Date} and {@code Expires}. They have a resolution of one
 * second, so each second is formatted once: a small table indexed by the second keeps the recent
 * ones ({@code Date} now and {@code Expires} a heartbeat interval later land in different slots).
 */
public final class HttpDates {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final int SLOTS = 1024;

    /** Immutable, so a racing reader sees either a whole entry or an older one, never a torn one. */
    private record Formatted(long second, String text) {
    }

    private static final Formatted[] RECENT = new Formatted[SLOTS];

    private HttpDates() {
    }

    public static String format(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int slot = (int) Math.floorMod(second, SLOTS);
        Formatted cached = RECENT[slot];
        if (cached != null && cached.second == second) return cached.text;
        String text = FORMAT.format(Instant.ofEpochSecond(second));
        RECENT[slot] = new Formatted(second, text);
        return text;
    }
}
