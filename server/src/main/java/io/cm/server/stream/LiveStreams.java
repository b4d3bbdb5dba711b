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
import java.util.Collection;
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
 * on shutdown.
 */
public final class LiveStreams implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStreams.class);
    private static final long CHECKPOINT_PERIOD_MILLIS = 1000;

    private final Map<String, LiveStream> streams;
    private final EventFeed feed;
    private final DeliverySettings delivery;
    private final Clock clock;
    private Vertx vertx;
    private long checkpointTimer;

    public LiveStreams(List<LiveStreamSettings> settings, EventFeed feed, DeliverySettings delivery, Clock clock) {
        this.streams = settings.stream().collect(Collectors.toUnmodifiableMap(LiveStreamSettings::name,
                stream -> new LiveStream(stream, feed, delivery, clock)));
        this.feed = feed;
        this.delivery = delivery;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry metrics) {
        for (LiveStream stream : streams.values()) {
            Gauge.builder("cm_live_stream_connections", stream, LiveStream::connectionCount)
                    .description("Live connections of a stream").tag("stream", stream.name()).register(metrics);
        }
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

    Collection<LiveStream> all() {
        return streams.values();
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
