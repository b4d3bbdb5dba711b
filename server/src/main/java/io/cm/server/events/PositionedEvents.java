package io.cm.server.events;

import io.cm.core.event.SessionEvent;

/**
 * A reader of every event of a partitioned log, with each event's place in it, so that it can keep
 * where it stands beside what it made of the events and resume from there (the usage reports over
 * Kafka). Both calls may wait: they run on the reading thread, never on a deciding one.
 */
public interface PositionedEvents {

    /** The event at {@code offset} of {@code partition}; one partition's events come in their order. */
    void event(int partition, long offset, SessionEvent event) throws InterruptedException;

    /**
     * No event older than {@code millis} is still to come from the backlog being caught up;
     * {@link Long#MAX_VALUE} once every partition is caught up (then events are as recent as the clock).
     */
    void watermark(long millis) throws InterruptedException;
}
