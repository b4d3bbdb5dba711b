package io.cm.server.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.report.Granularity;
import io.cm.core.report.UsageAggregator;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A month of minute-level usage figures: every minute of December 2025 (44,640), a session of one of
 * two tenants starts at :00 and stops at :40. Kept ten years at every granularity.
 */
final class DecemberOfMinutes {

    static final Instant FROM = Instant.parse("2025-12-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-01-01T00:00:00Z");
    static final int MINUTES = 31 * 24 * 60;

    private DecemberOfMinutes() {
    }

    static UsageAggregator figures() {
        long years = Duration.ofDays(3650).toMillis();
        UsageAggregator aggregator = new UsageAggregator(Map.of(Granularity.MINUTE, years, Granularity.HOUR, years,
                Granularity.DAY, years, Granularity.MONTH, years), years);
        for (int minute = 0; minute < MINUTES; minute++) {
            long start = FROM.plus(Duration.ofMinutes(minute)).toEpochMilli();
            String tenant = minute % 2 == 0 ? "demo" : "other";
            aggregator.add(event(start, SessionEventType.STARTED, tenant, "viewer-" + minute % 97, "s" + minute));
            aggregator.add(event(start + 40_000, SessionEventType.STOPPED, tenant, "viewer-" + minute % 97, "s" + minute));
        }
        return aggregator;
    }

    private static SessionEvent event(long at, SessionEventType type, String tenant, String subject, String id) {
        return new SessionEvent("h-" + id + type, at, type, tenant, tenant + "-app", tenant, "idp", subject, Optional.of(id),
                Optional.of("T"), Map.of("platform", "web"), Optional.empty(), Optional.empty());
    }
}
