package io.cm.server.report;

import io.cm.core.report.Dimension;
import io.cm.core.report.Group;
import io.cm.core.report.LevelRow;
import io.cm.core.report.UsageReports;
import io.cm.core.report.UsageRow;
import io.cm.server.admin.AdminRoutes;
import io.cm.server.http.ApiError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code /admin/v1/reports/usage} and {@code /admin/v1/reports/concurrency-level} (SPEC §10), behind
 * the admin API's guard. The rows are read and written (JSON or CSV) on the report thread; the
 * event loop only sends them.
 */
public final class ReportRoutes {

    private static final List<String> FIGURES = List.of("active-users", "active-sessions", "started-sessions",
            "completed-sessions", "failed-attempts", "dismissed-sessions", "killed-sessions", "peak-concurrent-sessions");

    private final ReportWorker worker;
    private final Clock clock;

    public ReportRoutes(ReportWorker worker, Clock clock) {
        this.worker = worker;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.get(AdminRoutes.PREFIX + "/reports/usage").handler(ctx -> report(ctx, "usage", ReportRoutes::usage));
        router.get(AdminRoutes.PREFIX + "/reports/concurrency-level")
                .handler(ctx -> report(ctx, "concurrency-level", ReportRoutes::levels));
    }

    private void report(RoutingContext ctx, String name, Writer writer) {
        ReportRequest request = ReportRequest.of(ctx, clock.millis());
        Future.fromCompletionStage(worker.ask(reports -> body(name, request, reports, writer)),
                        ctx.vertx().getOrCreateContext())
                .onSuccess(body -> {
                    if (request.csv()) {
                        ctx.response().putHeader("Content-Type", "text/csv;charset=utf-8")
                                .putHeader("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
                    } else {
                        ctx.response().putHeader("Content-Type", "application/json;charset=utf-8");
                    }
                    ctx.response().setStatusCode(200).end(Buffer.buffer(body));
                })
                .onFailure(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    ctx.fail(cause instanceof RejectedExecutionException
                            ? new ApiError(503, "REPORTS_BUSY", "The report thread is busy; retry shortly",
                            Optional.empty(), Map.of("Retry-After", "1"))
                            : cause);
                });
    }

    /** Writes the rows of one report into a table. */
    @FunctionalInterface
    interface Writer {
        void write(ReportRequest request, UsageReports reports, ReportTable table);
    }

    /** The body of report {@code name} (usage, concurrency-level), read and written on the report thread. */
    static byte[] body(String name, ReportRequest request, UsageReports reports, Writer writer) {
        List<String> columns = columns(request, name.equals("usage") ? FIGURES : List.of("level", "subjects"));
        ReportTable table = request.csv() ? ReportTable.csv(columns)
                : ReportTable.json(columns, name, Instant.ofEpochMilli(request.granularity().start(request.from())).toString(),
                Instant.ofEpochMilli(request.to()).toString(), request.granularity().wireName(),
                request.by().stream().map(Dimension::wireName).toList());
        writer.write(request, reports, table);
        return table.finish();
    }

    private static List<String> columns(ReportRequest request, List<String> figures) {
        List<String> columns = new ArrayList<>();
        columns.add("interval");
        for (Dimension dimension : Dimension.values()) if (request.by().contains(dimension)) columns.add(dimension.wireName());
        columns.addAll(figures);
        return columns;
    }

    /** The interval, then the values of the dimensions grouped by, in the order of {@link Dimension}. */
    private static List<Object> key(ReportRequest request, IntervalTimes times, long interval, Group group) {
        List<Object> values = new ArrayList<>(12);
        values.add(times.format(interval));
        if (request.by().contains(Dimension.TENANT)) values.add(group.tenant());
        if (request.by().contains(Dimension.APPLICATION)) values.add(group.application());
        if (request.by().contains(Dimension.PLATFORM)) values.add(group.platform());
        return values;
    }

    static void usage(ReportRequest request, UsageReports reports, ReportTable table) {
        IntervalTimes times = new IntervalTimes();
        for (UsageRow row : reports.usage(request.from(), request.to(), request.granularity(), request.by())) {
            List<Object> values = key(request, times, row.interval(), row.group());
            values.addAll(List.of(row.activeUsers(), row.activeSessions(), row.startedSessions(),
                    row.completedSessions(), row.failedAttempts(), row.dismissedSessions(), row.killedSessions(),
                    row.peakConcurrentSessions()));
            table.add(values.toArray());
        }
    }

    static void levels(ReportRequest request, UsageReports reports, ReportTable table) {
        IntervalTimes times = new IntervalTimes();
        for (LevelRow row : reports.concurrencyLevels(request.from(), request.to(), request.granularity(), request.by())) {
            List<Object> values = key(request, times, row.interval(), row.group());
            values.add(row.level());
            values.add(row.subjects());
            table.add(values.toArray());
        }
    }
}
