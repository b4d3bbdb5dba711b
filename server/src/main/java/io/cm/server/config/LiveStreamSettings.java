package io.cm.server.config;

import io.cm.core.event.SessionEventType;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A live stream: its name in the URL, the tenant whose events it carries, the bearer tokens it
 * accepts, and the event types it carries (all unless the config names some).
 */
public record LiveStreamSettings(String name, String tenant, List<String> tokens, Set<SessionEventType> types) {
    public LiveStreamSettings {
        tokens = List.copyOf(tokens);
        types = Set.copyOf(types);
    }

    /** A stream of every event type. */
    public LiveStreamSettings(String name, String tenant, List<String> tokens) {
        this(name, tenant, tokens, EnumSet.allOf(SessionEventType.class));
    }

    /** Whether an event of {@code tenant} and {@code type} belongs on this stream. */
    public boolean carries(String eventTenant, SessionEventType type) {
        return tenant.equals(eventTenant) && types.contains(type);
    }
}
