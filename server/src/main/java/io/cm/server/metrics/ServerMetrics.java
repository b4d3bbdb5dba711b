package io.cm.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What {@code /metrics} exposes: decisions by operation and outcome, HTTP requests by route and
 * status (latency histogram), active sessions, and the JVM and process meters operators expect
 * (memory, GC, threads, classes, CPU, open files, uptime).
 */
public final class ServerMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<String, Timer> requests = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ServerMetrics(LongSupplier activeSessions) {
        Gauge.builder("cm_active_sessions", activeSessions::getAsLong)
                .description("Sessions currently active")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Counts one decision: {@code operation} init|heartbeat|stop, {@code outcome} e.g. permit, deny, gone. */
    public void decision(String operation, String outcome) {
        decisions.computeIfAbsent(operation + '/' + outcome, k -> Counter.builder("cm_decisions")
                .description("Session decisions by operation and outcome")
                .tag("operation", operation)
                .tag("outcome", outcome)
                .register(registry)).increment();
    }

    /**
     * Records a request to {@code route} (method and route pattern, never the raw path, so the
     * number of series stays bounded) answered with {@code status} after {@code nanos}.
     */
    public void request(String route, int status, long nanos) {
        requests.computeIfAbsent(route + ' ' + status, key -> Timer.builder("cm_http_request_duration")
                .description("Time to answer a request, by route and status")
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Where adapters with meters of their own (event log, live streams, connections) register them. */
    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
