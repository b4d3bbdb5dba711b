package io.cm.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What {@code /metrics} exposes: decisions by operation and outcome, request latency as a
 * histogram, active sessions.
 */
public final class ServerMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();

    public ServerMetrics(LongSupplier activeSessions) {
        Gauge.builder("cm_active_sessions", activeSessions::getAsLong)
                .description("Sessions currently active")
                .register(registry);
    }

    /** Counts one decision: {@code operation} init|heartbeat|stop, {@code outcome} e.g. permit, deny, gone. */
    public void decision(String operation, String outcome) {
        decisions.computeIfAbsent(operation + '/' + outcome, k -> Counter.builder("cm_decisions")
                .description("Session decisions by operation and outcome")
                .tag("operation", operation)
                .tag("outcome", outcome)
                .register(registry)).increment();
    }

    /** Records the latency of a request to {@code route} (the route pattern, not the raw path). */
    public void latency(String route, long nanos) {
        latencies.computeIfAbsent(route, r -> Timer.builder("cm_http_request_duration")
                .description("Time to answer a request")
                .tag("route", r)
                .publishPercentileHistogram()
                .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Where adapters with meters of their own (event log, live streams) register them. */
    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }
}
