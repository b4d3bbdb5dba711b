package io.cm.server.stream;

import io.cm.server.config.DeliverySettings;
import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.EventBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The configured live streams of the server, each over its group of the event backend; the live
 * connections of this node, so that shutdown ends them cleanly. {@link #reconfigure} adds, removes
 * and changes streams while the server runs.
 */
public final class LiveStreams implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStreams.class);

    /** Replaced whole by {@link #reconfigure}; readers take the map of the moment. */
    private volatile Map<String, LiveStream> streams;
    private final EventBackend events;
    private final DeliverySettings delivery;
    private final Set<LiveStreamConnection> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> recordsSent = new ConcurrentHashMap<>();
    /** Guarded by this: the gauge of each stream once meters are bound. */
    private final Map<String, Gauge> gauges = new HashMap<>();
    private MeterRegistry meters;

    public LiveStreams(List<LiveStreamSettings> settings, EventBackend events, DeliverySettings delivery) {
        this.events = events;
        this.streams = settings.stream().collect(Collectors.toUnmodifiableMap(LiveStreamSettings::name,
                stream -> new LiveStream(stream, events.group(stream))));
        this.delivery = delivery;
    }

    @Override
    public synchronized void bindTo(MeterRegistry metrics) {
        meters = metrics;
        streams.values().forEach(this::meter);
    }

    private void meter(LiveStream stream) {
        if (meters == null) return;
        gauges.put(stream.name(), Gauge.builder("cm_live_stream_connections", stream.group(), group -> group.connections())
                .description("Live connections of a stream on this node").tag("stream", stream.name()).register(meters));
        recordsSent.computeIfAbsent(stream.name(), name -> Counter.builder("cm_live_stream_records_sent")
                .description("Records written to the live connections of a stream on this node, repeats included")
                .tag("stream", name).register(meters));
    }

    /**
     * Makes the streams those of {@code settings}: new ones are served at once; a stream removed or
     * changed (tenant, tokens, types) ends its live connections on this node cleanly, as on shutdown,
     * so that none goes on with a revoked token or another tenant's events. A changed stream keeps its
     * name's position, so its clients resume where they were when they reconnect. Unchanged streams
     * are untouched.
     */
    public synchronized void reconfigure(List<LiveStreamSettings> settings) {
        Map<String, LiveStream> next = new HashMap<>();
        List<LiveStream> ended = new ArrayList<>();
        for (LiveStreamSettings stream : settings) {
            LiveStream existing = streams.get(stream.name());
            if (existing != null && existing.settings().equals(stream)) {
                next.put(stream.name(), existing);
                continue;
            }
            if (existing != null) ended.add(existing);
            next.put(stream.name(), new LiveStream(stream, events.group(stream)));
        }
        streams.forEach((name, stream) -> {
            if (!next.containsKey(name)) ended.add(stream);
        });
        streams = Map.copyOf(next);
        for (LiveStream stream : ended) {
            Gauge gauge = gauges.remove(stream.name());
            if (gauge != null) meters.remove(gauge);
            connections.stream().filter(connection -> connection.stream() == stream).forEach(LiveStreamConnection::close);
            LOG.info("Live stream {} {}: its connections were ended", stream.name(),
                    next.containsKey(stream.name()) ? "changed" : "removed");
        }
        next.values().stream().filter(stream -> !gauges.containsKey(stream.name())).forEach(this::meter);
    }

    Optional<LiveStream> stream(String name) {
        return Optional.ofNullable(streams.get(name));
    }

    Collection<LiveStream> all() {
        return streams.values();
    }

    DeliverySettings delivery() {
        return delivery;
    }

    void opened(LiveStreamConnection connection) {
        connections.add(connection);
    }

    void closed(LiveStreamConnection connection) {
        connections.remove(connection);
    }

    void sent(LiveStream stream, int records) {
        Counter counter = recordsSent.get(stream.name());
        if (counter != null) counter.increment(records);
    }

    /** Ends every connection cleanly (gzip trailer, then close), waiting at most {@code timeout}. */
    public void close(Duration timeout) {
        List<Future<Void>> ends = connections.stream().map(LiveStreamConnection::close).toList();
        try {
            Future.join(ends).toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Live stream connections did not all end within {}", timeout);
        } catch (ExecutionException e) {
            LOG.debug("Some live stream peers were already gone: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
