package io.cm.server.config;

import io.cm.core.policy.Catalog;

import java.util.List;

/**
 * A {@link ManagedConfig} that passed its check, with what it configures: the catalog decisions are
 * made under and the live streams. Only {@link ManagedConfig#check()} makes one.
 */
public record ManagedSettings(ManagedConfig config, Catalog catalog, List<LiveStreamSettings> streams) {
    public ManagedSettings {
        streams = List.copyOf(streams);
    }
}
