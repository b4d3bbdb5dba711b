package io.cm.server.config;

import java.time.Duration;

/**
 * Usage reports (YAML section {@code reports}, SPEC §10): how long each granularity's intervals are
 * kept, and how long events may arrive out of order before an interval's figures are final.
 *
 * @param lateness an event is folded into the figures once the report clock is this far past it, so
 *                 that events of several threads (or nodes) are counted in time order
 */
public record ReportSettings(Duration minutes, Duration hours, Duration days, Duration months, Duration lateness) {

    private static final Duration MAX_LATENESS = Duration.ofMinutes(5);
    public static final ReportSettings DEFAULTS = new ReportSettings(Duration.ofDays(7), Duration.ofDays(90),
            Duration.ofDays(730), Duration.ofDays(730), Duration.ofSeconds(2));

    public ReportSettings {
        if (!minutes.isPositive() || !hours.isPositive() || !days.isPositive() || !months.isPositive()) {
            throw new IllegalArgumentException("reports: retention durations must be positive");
        }
        if (lateness.isNegative() || lateness.compareTo(MAX_LATENESS) > 0) {
            throw new IllegalArgumentException("reports.lateness " + lateness + " is not in 0..5m");
        }
    }
}
