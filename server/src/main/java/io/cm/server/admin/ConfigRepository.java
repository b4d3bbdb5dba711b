package io.cm.server.admin;

import io.cm.server.config.ManagedConfig;

import java.util.List;
import java.util.Optional;

/**
 * Port to where the admin API's changes are kept so that they survive restarts and reach every
 * node (SPEC §9): the data directory ({@link FileConfigRepository}), or Redis for many nodes. Calls
 * block on I/O: they run on the admin thread ({@link ConfigAdministration}), never on an event loop.
 */
public interface ConfigRepository extends AutoCloseable {

    /** The configuration last stored through the admin API; empty while it was never changed. */
    Optional<ManagedConfig> load();

    /**
     * Stores {@code next} and appends {@code audit}, in one step, if the stored configuration is
     * still the one tagged {@code expectedEtag}, or none was stored yet.
     *
     * @return false, changing nothing, when another node stored another configuration first
     */
    boolean replace(String expectedEtag, ManagedConfig next, AuditEntry audit);

    /** Appends an entry that changes no configuration (operator actions). */
    void append(AuditEntry audit);

    /** The newest {@code limit} entries of the audit trail, newest first. */
    List<AuditEntry> audit(int limit);

    /**
     * Calls {@code changed} (on any thread, at most about a second late) whenever another node may
     * have stored a configuration; this node then loads it. Nothing to watch for a single node.
     */
    void watch(Runnable changed);

    @Override
    void close();
}
