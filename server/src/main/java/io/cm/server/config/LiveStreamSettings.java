package io.cm.server.config;

import java.util.List;

/** A live stream: its name in the URL, the tenant whose events it carries, the bearer tokens it accepts. */
public record LiveStreamSettings(String name, String tenant, List<String> tokens) {
    public LiveStreamSettings {
        tokens = List.copyOf(tokens);
    }
}
