package io.cm.server.report;

import io.cm.core.event.EventLog;
import io.cm.core.event.SessionEvent;

/**
 * The embedded feed of the usage reports: the event log the session service appends to, which
 * also hands every event to the reports. Both hand-offs only enqueue.
 */
public final class AppendedEvents implements EventLog {

    private final EventLog log;
    private final ReportSink reports;

    public AppendedEvents(EventLog log, ReportSink reports) {
        this.log = log;
        this.reports = reports;
    }

    @Override
    public void append(SessionEvent event) {
        log.append(event);
        reports.accept(event);
    }
}
