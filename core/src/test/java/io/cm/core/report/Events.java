package io.cm.core.report;

import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds session event sequences for report tests, in the order they are appended. */
final class Events {

    private final List<SessionEvent> events = new ArrayList<>();
    private final Map<String, SessionEvent> started = new HashMap<>();
    private int hits;

    static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    List<SessionEvent> list() {
        return List.copyOf(events);
    }

    /** A start of session {@code id} by {@code app} of {@code tenant} for {@code subject}, with an optional platform. */
    Events start(long at, String tenant, String app, String subject, String id, String platform) {
        Map<String, String> metadata = platform == null ? Map.of() : Map.of("platform", platform);
        SessionEvent event = event(at, SessionEventType.STARTED, tenant, app, subject, Optional.of(id), metadata);
        started.put(id, event);
        events.add(event);
        return this;
    }

    Events start(long at, String tenant, String app, String subject, String id) {
        return start(at, tenant, app, subject, id, null);
    }

    Events denied(long at, String tenant, String app, String subject) {
        events.add(event(at, SessionEventType.DENIED, tenant, app, subject, Optional.empty(), Map.of()));
        return this;
    }

    /** An ending of a started session: stopped, expired, killed or dismissed. */
    Events end(long at, SessionEventType type, String id) {
        SessionEvent start = started.get(id);
        events.add(event(at, type, start.tenant(), start.applicationId(), start.subject(), Optional.of(id),
                start.metadata()));
        return this;
    }

    Events heartbeat(long at, String tenant, String app, String subject, String id) {
        events.add(event(at, SessionEventType.HEARTBEAT, tenant, app, subject, Optional.of(id), Map.of()));
        return this;
    }

    private SessionEvent event(long at, SessionEventType type, String tenant, String app, String subject,
                               Optional<String> id, Map<String, String> metadata) {
        return new SessionEvent("hit-" + hits++, at, type, tenant, app, app + " name", "idp", subject, id,
                id.map(s -> "T" + s), metadata, Optional.empty(), Optional.empty());
    }
}
