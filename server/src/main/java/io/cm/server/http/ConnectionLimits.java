package io.cm.server.http;

import io.cm.server.config.HttpSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cap on open connections of the public port and the time limits of each, shared by the HTTP
 * servers of all event loops.
 *
 * <p>At the cap, a newcomer takes the place of the connection that has waited longest for a request
 * (an idle keep-alive connection, or one trickling its request in), so clients that hold
 * connections without using them cannot lock others out; when every connection is answering a
 * request (live streams included), the newcomer gets 503 at once. A connection past its time limit
 * is closed by a sweep a few times per second. The cost per request is two volatile writes; a
 * sweep or an eviction looks at every open connection.
 *
 * <p>Vert.x has no public hook into a connection's Netty pipeline; {@link #accept} takes it from
 * Vert.x's connection class, so a Vert.x upgrade that changes it fails the connection-limit tests.
 */
public final class ConnectionLimits implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
    private static final long REFUSAL_LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int maxConnections;
    private final long requestReadTimeoutNanos;
    private final long idleTimeoutNanos;
    private final Clock clock;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<ConnectionGuard> guards = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - REFUSAL_LOG_PERIOD_NANOS);

    public ConnectionLimits(HttpSettings settings, Clock clock) {
        this.maxConnections = settings.maxConnections();
        this.requestReadTimeoutNanos = settings.requestReadTimeout().toNanos();
        this.idleTimeoutNanos = settings.idleTimeout().toNanos();
        this.clock = clock;
    }

    /** Sweeps for connections past their time limit, a few times per shortest limit. */
    public void start(Vertx vertx) {
        long period = Math.clamp(TimeUnit.NANOSECONDS.toMillis(Math.min(requestReadTimeoutNanos, idleTimeoutNanos)) / 4,
                25, 1000);
        vertx.setPeriodic(period, id -> sweep());
    }

    /** The connection handler of every HTTP server of the public port; runs on the connection's event loop. */
    public void accept(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            throw new IllegalStateException("Unexpected Vert.x connection class " + connection.getClass().getName());
        }
        ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
        ConnectionGuard guard = new ConnectionGuard(this);
        pipeline.addBefore("handler", "cm-connection-guard", guard);
        if (!admit(guard)) {
            guard.refuseOverCap(maxConnections);
            logRefusals();
        }
    }

    private boolean admit(ConnectionGuard guard) {
        if (open.incrementAndGet() <= maxConnections) {
            guards.add(guard);
            return true;
        }
        ConnectionGuard victim = longestWaiting();
        if (victim != null && victim.end()) {
            evicted.incrementAndGet();
            guards.add(guard);
            return true;
        }
        open.decrementAndGet();
        refused.incrementAndGet();
        return false;
    }

    private ConnectionGuard longestWaiting() {
        ConnectionGuard oldest = null;
        long oldestSince = ConnectionGuard.SERVING;
        for (ConnectionGuard guard : guards) {
            long since = guard.waitingSince();
            if (since != ConnectionGuard.SERVING && !guard.ending() && (oldest == null || since - oldestSince < 0)) {
                oldest = guard;
                oldestSince = since;
            }
        }
        return oldest;
    }

    void closed(ConnectionGuard guard) {
        if (guards.remove(guard)) open.decrementAndGet();
    }

    void sweep() {
        long now = System.nanoTime();
        for (ConnectionGuard guard : guards) {
            if (guard.overdue(now) && guard.end()) timedOut.incrementAndGet();
        }
    }

    private void logRefusals() {
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= REFUSAL_LOG_PERIOD_NANOS && lastRefusalLog.compareAndSet(last, now)) {
            LOG.warn("All {} connections are busy answering requests: refusing new ones with 503 ({} so far; "
                    + "http.max-connections)", maxConnections, refused.get());
        }
    }

    long requestReadTimeoutNanos() {
        return requestReadTimeoutNanos;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    Clock clock() {
        return clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("cm_http_connections", open, AtomicInteger::get)
                .description("Open connections of the public port").register(registry);
        closedCounter(registry, refused, "refused");
        closedCounter(registry, evicted, "evicted");
        closedCounter(registry, timedOut, "timeout");
    }

    private static void closedCounter(MeterRegistry registry, AtomicLong count, String reason) {
        FunctionCounter.builder("cm_http_connections_closed", count, AtomicLong::get)
                .description("Connections the server closed: refused (over the cap, every connection busy), evicted "
                        + "(at the cap, having waited longest for a request), timeout (a request took too long to arrive)")
                .tag("reason", reason).register(registry);
    }
}
