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
import java.util.Collection;
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
 * connections of this node, so that shutdown ends them cleanly.
 */
public final class LiveStreams implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStreams.class);

    private final Map<String, LiveStream> streams;
    private final DeliverySettings delivery;
    private final Set<LiveStreamConnection> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> recordsSent = new ConcurrentHashMap<>();

    public LiveStreams(List<LiveStreamSettings> settings, EventBackend events, DeliverySettings delivery) {
        this.streams = settings.stream().collect(Collectors.toUnmodifiableMap(LiveStreamSettings::name,
                stream -> new LiveStream(stream, events.group(stream))));
        this.delivery = delivery;
    }

    @Override
    public void bindTo(MeterRegistry metrics) {
        for (LiveStream stream : streams.values()) {
            Gauge.builder("cm_live_stream_connections", stream.group(), group -> group.connections())
                    .description("Live connections of a stream on this node").tag("stream", stream.name()).register(metrics);
            recordsSent.put(stream.name(), Counter.builder("cm_live_stream_records_sent")
                    .description("Records written to the live connections of a stream on this node, repeats included")
                    .tag("stream", stream.name()).register(metrics));
        }
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
