package io.cm.server.report;

import io.cm.core.report.Dimension;
import io.cm.core.report.Granularity;
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

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/**
 * A month of minute-level usage figures ({@link DecemberOfMinutes}), read and written as the report
 * route does on the report thread:
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

    private UsageReports reports;
    private ReportRequest json;
    private ReportRequest csv;

    @Setup
    public void setUp() {
        reports = new UsageReports(DecemberOfMinutes.figures(), 0);
        long from = DecemberOfMinutes.FROM.toEpochMilli();
        long to = DecemberOfMinutes.TO.toEpochMilli();
        json = new ReportRequest(from, to, Granularity.MINUTE, EnumSet.noneOf(Dimension.class), false);
        csv = new ReportRequest(from, to, Granularity.MINUTE, EnumSet.noneOf(Dimension.class), true);
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
