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
 * What {@code /metrics} exposes: decisions by operation, outcome, application and policy, HTTP
 * requests by route and status (latency histogram), active sessions, and the JVM and process meters
 * operators expect (memory, GC, threads, classes, CPU, open files, uptime).
 *
 * <p>Label cardinality stays bounded: {@code application} and {@code policy} only ever take values
 * of the configuration (an authenticated caller's id, the policy of a denial's first broken rule,
 * {@value #NO_POLICY} otherwise), never request input; and once {@value #MAX_DECISION_SERIES} series
 * exist (applications added through the admin API keep adding some; removed ones keep theirs until
 * restart), new combinations are counted under {@code application="other",policy="other"}.
 */
public final class ServerMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The {@code policy} of a decision no policy denied. */
    public static final String NO_POLICY = "none";
    static final int MAX_DECISION_SERIES = 2_000;
    private static final String OTHER = "other";

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

    /**
     * Counts one decision: {@code operation} init|heartbeat|stop, {@code outcome} e.g. permit, deny,
     * gone; of the calling {@code application}, under {@code policy} (that of a denial, else
     * {@link #NO_POLICY}).
     */
    public void decision(String operation, String outcome, String application, String policy) {
        String key = operation + '/' + outcome + '/' + application + '/' + policy;
        Counter counter = decisions.get(key);
        if (counter == null) {
            boolean full = decisions.size() >= MAX_DECISION_SERIES;
            String app = full ? OTHER : application;
            String pol = full ? OTHER : policy;
            counter = decisions.computeIfAbsent(full ? operation + '/' + outcome + "/other/other" : key,
                    k -> Counter.builder("cm_decisions")
                            .description("Session decisions by operation, outcome, application and policy")
                            .tag("operation", operation)
                            .tag("outcome", outcome)
                            .tag("application", app)
                            .tag("policy", pol)
                            .register(registry));
        }
        counter.increment();
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
