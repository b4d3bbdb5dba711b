package io.cm.server.events;

import io.cm.core.event.EventLog;
import io.cm.server.config.LiveStreamSettings;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Where session events go and where the live streams read them (SPEC §5, §6, §8): the embedded log
 * of one node ({@link EmbeddedEvents}), or Apache Kafka shared by many nodes ({@code events.kafka}).
 * {@link #append} never blocks the deciding thread.
 */
public interface EventBackend extends EventLog, MeterBinder, AutoCloseable {

    /**
     * The consumer group of the live connections of {@code stream}, on this node (and, with Kafka, every
     * other). A stream whose settings changed (admin API) gets a new group that continues from the
     * position of the stream's name; the connections of the old one are for the caller to end.
     */
    StreamGroup group(LiveStreamSettings stream);

    /** Whether events are stored and can be read now (readiness). */
    boolean ready();

    /** Stores or sends what was appended (within a bounded time), keeps the stream positions, releases resources. */
    @Override
    void close();
}
