package io.cm.server.admin;

import io.cm.server.config.AdminSettings;
import io.cm.server.config.ConfigCheck;
import io.cm.server.config.ManagedConfig;
import io.cm.server.config.ManagedSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Changes to the tenants, applications, policies and live streams (SPEC §9), one at a time on the
 * {@code cm-admin} thread, which may block on the {@link ConfigRepository}: each change is checked
 * whole (nothing applies unless every rule holds), stored with its audit entry, then applied to
 * this node ({@link AppliedConfig}); other nodes learn of it through the repository and apply it
 * within a second ({@link #refresh()}).
 */
public final class ConfigAdministration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigAdministration.class);
    /** The audit trail's name for changes made by starting with {@code server.admin-config: file}. */
    static final String CONFIG_FILE = "config-file";

    private final AppliedConfig applied;
    private final ConfigRepository repository;
    private final Clock clock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "cm-admin");
        t.setDaemon(true);
        return t;
    });

    public ConfigAdministration(AppliedConfig applied, ConfigRepository repository, Clock clock) {
        this.applied = applied;
        this.repository = repository;
        this.clock = clock;
        repository.watch(() -> thread.execute(this::refresh));
    }

    /**
     * What a starting node runs: with {@code persisted} precedence, the configuration last changed
     * through the admin API if there is one, else the file's; with {@code file}, the file's, which
     * then replaces the stored one (an audited change). Blocks on the repository.
     *
     * @throws IllegalStateException if the stored configuration breaks the model's rules (a file
     *                               edited by hand); starting with {@code file} precedence replaces it
     */
    public static ManagedSettings initial(ManagedSettings fromFile, AdminSettings.Precedence precedence,
                                          ConfigRepository repository, Clock clock) {
        Optional<ManagedConfig> stored = repository.load();
        if (stored.isEmpty()) return fromFile;
        ManagedConfig config = stored.get();
        if (precedence == AdminSettings.Precedence.FILE) {
            if (!config.etag().equals(fromFile.config().etag())) {
                repository.replace(config.etag(), fromFile.config(), new AuditEntry(now(clock), CONFIG_FILE,
                        "start with server.admin-config: file", fromFile.config().etag(),
                        ConfigChanges.between(config, fromFile.config())));
                LOG.info("Started from the config file's tenants, policies and streams (server.admin-config: file); "
                        + "they replace those changed through the admin API");
            }
            return fromFile;
        }
        return switch (config.check()) {
            case ConfigCheck.Valid valid -> {
                LOG.info("Running the tenants, policies and streams last changed through the admin API; the config "
                        + "file's are not used (start with server.admin-config: file, CM_ADMIN_CONFIG=file, to replace "
                        + "them with the file's)");
                yield valid.settings();
            }
            case ConfigCheck.Invalid invalid -> throw new IllegalStateException("The configuration stored by the admin "
                    + "API is invalid: " + invalid.problems() + "; start with CM_ADMIN_CONFIG=file to replace it "
                    + "with the config file's");
        };
    }

    private static String now(Clock clock) {
        return Instant.ofEpochMilli(clock.millis()).toString();
    }

    /** Runs {@code work} on the admin thread. */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, thread);
    }

    /**
     * Changes the configuration in force by {@code edit} (which may throw to refuse, e.g. a 404) on
     * behalf of the token named {@code token}, unless {@code ifMatch} (an {@code If-Match} value)
     * names another version. A change that changes nothing is applied without an audit entry.
     */
    public CompletableFuture<ChangeOutcome> change(String token, String action, Optional<String> ifMatch,
                                                   UnaryOperator<ManagedConfig> edit) {
        return submit(() -> {
            ManagedSettings current = applied.current();
            String etag = current.config().etag();
            if (ifMatch.isPresent() && !matches(ifMatch.get(), etag)) return new ChangeOutcome.Stale(etag);
            ManagedConfig next = edit.apply(current.config());
            if (next.etag().equals(etag)) return new ChangeOutcome.Applied(current);
            return switch (next.check()) {
                case ConfigCheck.Invalid invalid -> new ChangeOutcome.Invalid(invalid.problems());
                case ConfigCheck.Valid valid -> store(token, action, current, valid.settings());
            };
        });
    }

    private ChangeOutcome store(String token, String action, ManagedSettings current, ManagedSettings next) {
        AuditEntry audit = new AuditEntry(now(clock), token, action, next.config().etag(),
                ConfigChanges.between(current.config(), next.config()));
        if (!repository.replace(current.config().etag(), next.config(), audit)) {
            // Another node stored a change first: take it, and let the caller decide again on it.
            refresh();
            return new ChangeOutcome.Stale(applied.current().config().etag());
        }
        applied.apply(next);
        LOG.info("Configuration changed by {}: {} ({} change(s))", token, action, audit.changes().size());
        return new ChangeOutcome.Applied(next);
    }

    /** Whether an {@code If-Match} value names {@code etag}: {@code *}, or one of its tags (weak or not). */
    static boolean matches(String ifMatch, String etag) {
        return Arrays.stream(ifMatch.split(",")).map(String::trim)
                .anyMatch(tag -> tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag));
    }

    /** Applies the stored configuration if another node changed it. Runs on the admin thread. */
    void refresh() {
        try {
            Optional<ManagedConfig> stored = repository.load();
            if (stored.isEmpty() || stored.get().etag().equals(applied.current().config().etag())) return;
            switch (stored.get().check()) {
                case ConfigCheck.Valid valid -> {
                    applied.apply(valid.settings());
                    LOG.info("Applied the configuration another node stored ({})", stored.get().etag());
                }
                case ConfigCheck.Invalid invalid ->
                        LOG.error("Ignoring an invalid configuration another node stored: {}", invalid.problems());
            }
        } catch (RuntimeException e) {
            // The repository is unreachable for now; the next notice or periodic check tries again.
            LOG.warn("Could not load the stored configuration: {}", e.toString());
        }
    }

    /** Records an operator action in the audit trail, on the admin thread. */
    public CompletableFuture<Void> record(String token, String action, List<AuditEntry.Change> changes) {
        return submit(() -> {
            repository.append(new AuditEntry(now(clock), token, action, null, changes));
            return null;
        });
    }

    /** The newest {@code limit} audit entries, newest first. */
    public CompletableFuture<List<AuditEntry>> audit(int limit) {
        return submit(() -> repository.audit(limit));
    }

    public ManagedSettings current() {
        return applied.current();
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) LOG.warn("An admin change was still running at shutdown");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        repository.close();
    }
}
