package io.cm.server.report;

import io.cm.core.event.SessionEvent;

/**
 * Port through which the usage reports receive session events, whichever event backend carries
 * them. {@link #accept} never blocks (it is called on deciding threads) and takes each event once,
 * with one subject's events in their order; events of different subjects may interleave slightly
 * out of time order (the reports reorder within {@code reports.lateness}).
 *
 * <p>With the embedded event log, {@link AppendedEvents} hands over every event this node appends
 * (this node's figures). With Kafka, the reports read every node's events from the topic instead
 * ({@code events.kafka.KafkaEventTail} into {@link ReportWorker#event}), so that every node
 * answers with the figures of all.
 */
public interface ReportSink {

    void accept(SessionEvent event);
}
