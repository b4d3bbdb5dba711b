package io.cm.server.report;

import io.cm.core.report.Dimension;
import io.cm.core.report.Granularity;
import io.cm.server.http.ApiError;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The query of a report: {@code from} (required) and {@code to} (default now), each an ISO-8601
 * instant ({@code 2026-03-01T10:00:00Z}) or a UTC date ({@code 2026-03-01}); {@code granularity}
 * minute|hour|day|month (default hour); {@code by}, comma-separated tenant, application,
 * platform (default none: one row per interval); {@code format} json|csv (default json).
 * Intervals are those starting in [from rounded down to its interval, to); at most
 * {@value #MAX_INTERVALS} of them.
 */
record ReportRequest(long from, long to, Granularity granularity, Set<Dimension> by, boolean csv) {

    static final int MAX_INTERVALS = 100_000;

    static ReportRequest of(RoutingContext ctx, long now) {
        long from = instant("from", single(ctx, "from"), -1);
        long to = instant("to", single(ctx, "to"), now);
        if (from < 0) throw ApiError.invalid("from is required: an ISO-8601 instant or a date, e.g. 2026-03-01T00:00:00Z");
        Granularity granularity = granularity(single(ctx, "granularity"));
        if (to <= from) throw ApiError.invalid("to must be after from");
        long intervals = granularity == Granularity.MONTH ? (to - from) / (28L * 86_400_000) + 1
                : (to - granularity.start(from)) / (granularity.next(0) - granularity.start(0));
        if (intervals > MAX_INTERVALS) {
            throw ApiError.invalid("At most " + MAX_INTERVALS + " intervals per report; narrow from..to or use a "
                    + "coarser granularity");
        }
        return new ReportRequest(from, to, granularity, by(single(ctx, "by")), csv(single(ctx, "format")));
    }

    private static String single(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.size() > 1) throw ApiError.invalid(name + " is given more than once");
        return values.isEmpty() ? null : values.getFirst();
    }

    private static long instant(String name, String text, long absent) {
        if (text == null || text.isBlank()) return absent;
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            } catch (DateTimeParseException notADate) {
                throw ApiError.invalid(name + " '" + text + "' is neither an ISO-8601 instant (2026-03-01T10:00:00Z) "
                        + "nor a date (2026-03-01)");
            }
        }
    }

    private static Granularity granularity(String text) {
        if (text == null) return Granularity.HOUR;
        return Arrays.stream(Granularity.values()).filter(g -> g.wireName().equals(text.trim().toLowerCase(Locale.ROOT)))
                .findFirst().orElseThrow(() -> ApiError.invalid("granularity '" + text + "' is not one of "
                        + Arrays.stream(Granularity.values()).map(Granularity::wireName).collect(Collectors.joining(", "))));
    }

    private static Set<Dimension> by(String text) {
        Set<Dimension> by = EnumSet.noneOf(Dimension.class);
        if (text == null || text.isBlank()) return by;
        for (String name : text.split(",")) {
            String trimmed = name.trim().toLowerCase(Locale.ROOT);
            by.add(Arrays.stream(Dimension.values()).filter(d -> d.wireName().equals(trimmed)).findFirst()
                    .orElseThrow(() -> ApiError.invalid("by '" + name + "' is not one of tenant, application, platform")));
        }
        return by;
    }

    private static boolean csv(String text) {
        if (text == null || text.equalsIgnoreCase("json")) return false;
        if (text.equalsIgnoreCase("csv")) return true;
        throw ApiError.invalid("format '" + text + "' is not one of json, csv");
    }
}
