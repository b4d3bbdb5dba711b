package io.cm.server.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.core.report.Granularity;
import io.cm.core.report.UsageAggregator;
import io.cm.core.report.UsageReports;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A month of minute-level usage figures (December: 44,640 minutes, a session starting and stopping
 * every minute, two tenants), read and written as the report route does on the report thread:
 * the rows alone, the JSON body, the CSV body. HTTP adds sending the bytes. In the server's
 * package, to call the route's writer itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UsageReportBenchmark {

    private static final Instant DECEMBER = Instant.parse("2025-12-01T00:00:00Z");
    private static final long JANUARY = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private UsageReports reports;
    private ReportRequest json;
    private ReportRequest csv;

    @Setup
    public void setUp() {
        long years = Duration.ofDays(3650).toMillis();
        UsageAggregator aggregator = new UsageAggregator(Map.of(Granularity.MINUTE, years, Granularity.HOUR, years,
                Granularity.DAY, years, Granularity.MONTH, years), years);
        for (int minute = 0; minute < 31 * 24 * 60; minute++) {
            long start = DECEMBER.plus(Duration.ofMinutes(minute)).toEpochMilli();
            String tenant = minute % 2 == 0 ? "demo" : "other";
            aggregator.add(event(start, SessionEventType.STARTED, tenant, "viewer-" + minute % 97, "s" + minute));
            aggregator.add(event(start + 40_000, SessionEventType.STOPPED, tenant, "viewer-" + minute % 97, "s" + minute));
        }
        reports = new UsageReports(aggregator, 0);
        json = new ReportRequest(DECEMBER.toEpochMilli(), JANUARY, Granularity.MINUTE, EnumSet.noneOf(
                io.cm.core.report.Dimension.class), false);
        csv = new ReportRequest(DECEMBER.toEpochMilli(), JANUARY, Granularity.MINUTE, EnumSet.noneOf(
                io.cm.core.report.Dimension.class), true);
    }

    private static SessionEvent event(long at, SessionEventType type, String tenant, String subject, String id) {
        return new SessionEvent("h", at, type, tenant, tenant + "-app", tenant, "idp", subject, Optional.of(id),
                Optional.of("T"), Map.of("platform", "web"), Optional.empty(), Optional.empty());
    }

    @Benchmark
    public int rows() {
        return reports.usage(json.from(), json.to(), Granularity.MINUTE, json.by()).size();
    }

    @Benchmark
    public byte[] jsonBody() {
        return ReportRoutes.body("usage", json, reports, ReportRoutes::usage);
    }

    @Benchmark
    public byte[] csvBody() {
        return ReportRoutes.body("usage", csv, reports, ReportRoutes::usage);
    }
}
