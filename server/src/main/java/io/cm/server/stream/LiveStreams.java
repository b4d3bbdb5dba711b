package io.cm.server.stream;

import io.cm.server.config.DeliverySettings;
import io.cm.server.config.LiveStreamSettings;
import io.cm.server.events.EventFeed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The configured live streams of the server: wakes their connections when the log has new
 * records, keeps their positions on disk every second while they are live, and ends them cleanly
 * on shutdown. {@link #reconfigure} adds, removes and changes streams while the server runs.
 */
public final class LiveStreams implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStreams.class);
    private static final long CHECKPOINT_PERIOD_MILLIS = 1000;

    /** Replaced whole by {@link #reconfigure}; readers take the map of the moment. */
    private volatile Map<String, LiveStream> streams;
    /** Guarded by this: what each stream was made from, and its gauge once meters are bound. */
    private final Map<String, LiveStreamSettings> configured = new HashMap<>();
    private final Map<String, Gauge> gauges = new HashMap<>();
    private MeterRegistry meters;
    private final EventFeed feed;
    private final DeliverySettings delivery;
    private final Clock clock;
    private Vertx vertx;
    private long checkpointTimer;

    public LiveStreams(List<LiveStreamSettings> settings, EventFeed feed, DeliverySettings delivery, Clock clock) {
        this.streams = settings.stream().collect(Collectors.toUnmodifiableMap(LiveStreamSettings::name,
                stream -> new LiveStream(stream, feed, delivery, clock)));
        settings.forEach(stream -> configured.put(stream.name(), stream));
        this.feed = feed;
        this.delivery = delivery;
        this.clock = clock;
    }

    @Override
    public synchronized void bindTo(MeterRegistry metrics) {
        meters = metrics;
        streams.values().forEach(this::gauge);
    }

    private void gauge(LiveStream stream) {
        if (meters == null) return;
        gauges.put(stream.name(), Gauge.builder("cm_live_stream_connections", stream, LiveStream::connectionCount)
                .description("Live connections of a stream").tag("stream", stream.name()).register(meters));
    }

    /**
     * Makes the streams those of {@code settings}: new ones are served at once; a stream removed or
     * changed (tenant, tokens) ends its live connections cleanly, as on shutdown, so that none goes on
     * with a revoked token or another tenant's events. A changed stream keeps its name's position,
     * so its clients resume where they were when they reconnect. Unchanged streams are untouched.
     */
    public synchronized void reconfigure(List<LiveStreamSettings> settings) {
        Map<String, LiveStream> next = new HashMap<>();
        List<LiveStream> ended = new ArrayList<>();
        for (LiveStreamSettings stream : settings) {
            LiveStream existing = streams.get(stream.name());
            if (existing != null && stream.equals(configured.get(stream.name()))) {
                next.put(stream.name(), existing);
                continue;
            }
            if (existing != null) ended.add(existing);
            LiveStream created = new LiveStream(stream, feed, delivery, clock);
            next.put(stream.name(), created);
            configured.put(stream.name(), stream);
        }
        streams.forEach((name, stream) -> {
            if (!next.containsKey(name)) {
                ended.add(stream);
                configured.remove(name);
            }
        });
        streams = Map.copyOf(next);
        for (LiveStream stream : ended) {
            Gauge gauge = gauges.remove(stream.name());
            if (gauge != null) meters.remove(gauge);
            stream.connections().forEach(LiveStreamConnection::close);
            LOG.info("Live stream {} {}: its connections were ended", stream.name(),
                    next.containsKey(stream.name()) ? "changed" : "removed");
        }
        next.values().stream().filter(stream -> !gauges.containsKey(stream.name())).forEach(this::gauge);
    }

    /** Starts following the log and checkpointing positions; call once, before serving requests. */
    public void start(Vertx vertx) {
        this.vertx = vertx;
        feed.onAppend(() -> streams.values().forEach(LiveStream::wake));
        checkpointTimer = vertx.setPeriodic(CHECKPOINT_PERIOD_MILLIS,
                timer -> streams.values().forEach(LiveStream::checkpoint));
    }

    Optional<LiveStream> stream(String name) {
        return Optional.ofNullable(streams.get(name));
    }

    DeliverySettings delivery() {
        return delivery;
    }

    Clock clock() {
        return clock;
    }

    /** Ends every connection cleanly (gzip trailer, then close), waiting at most {@code timeout}, and keeps the positions. */
    public void close(Duration timeout) {
        vertx.cancelTimer(checkpointTimer);
        List<Future<Void>> ends = streams.values().stream()
                .flatMap(stream -> stream.connections().stream())
                .map(LiveStreamConnection::close)
                .toList();
        try {
            Future.join(ends).toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Live stream connections did not all end within {}", timeout);
        } catch (ExecutionException e) {
            LOG.debug("Some live stream peers were already gone: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Connections that did not end in time are still members: keep where they stood.
        streams.values().forEach(LiveStream::checkpoint);
    }
}
