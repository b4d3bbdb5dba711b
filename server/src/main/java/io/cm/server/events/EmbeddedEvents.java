package io.cm.server.events;

import io.cm.core.event.SessionEvent;
import io.cm.server.config.DeliverySettings;
import io.cm.server.config.LiveStreamSettings;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default (SPEC §4–§6): the {@link EmbeddedEventLog} of this node and the groups of
 * its live streams, whose positions are saved every second while they have live connections.
 */
public final class EmbeddedEvents implements EventBackend {

    private static final long CHECKPOINT_PERIOD_MILLIS = 1000;

    private final EmbeddedEventLog log;
    private final DeliverySettings delivery;
    private final Clock clock;
    private final Map<String, EmbeddedStreamGroup> groups = new ConcurrentHashMap<>();
    private final ScheduledExecutorService checkpoints = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("cm-stream-checkpoint").daemon().factory());

    private EmbeddedEvents(EmbeddedEventLog log, DeliverySettings delivery, Clock clock) {
        this.log = log;
        this.delivery = delivery;
        this.clock = clock;
        log.onAppend(() -> groups.values().forEach(EmbeddedStreamGroup::wake));
        checkpoints.scheduleAtFixedRate(() -> groups.values().forEach(EmbeddedStreamGroup::checkpoint),
                CHECKPOINT_PERIOD_MILLIS, CHECKPOINT_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Opens the log in {@code <dataDir>/events/}. */
    public static EmbeddedEvents open(Path dataDir, DeliverySettings delivery, Clock clock) {
        return new EmbeddedEvents(EmbeddedEventLog.open(dataDir, delivery, clock), delivery, clock);
    }

    @Override
    public void append(SessionEvent event) {
        log.append(event);
    }

    @Override
    public StreamGroup group(LiveStreamSettings stream) {
        return groups.compute(stream.name(), (name, current) -> current == null
                ? new EmbeddedStreamGroup(stream, log, delivery, clock)
                : current.settings().equals(stream) ? current : new EmbeddedStreamGroup(stream, current, delivery));
    }

    @Override
    public boolean ready() {
        return log.writing();
    }

    @Override
    public void bindTo(MeterRegistry metrics) {
        log.bindTo(metrics);
    }

    @Override
    public void close() {
        checkpoints.shutdownNow();
        // Groups whose connections did not end in time keep where they stood.
        groups.values().forEach(EmbeddedStreamGroup::checkpoint);
        log.close();
    }
}
