package io.cm.server.store.embedded;

import io.cm.core.store.SessionStore;
import io.cm.server.config.ServerConfig;
import io.cm.server.store.Storage;
import io.cm.server.throttle.LocalBudgets;
import io.cm.server.throttle.ThrottleBudgets;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code server.store: embedded}: sessions in the data directory's file, request budgets in memory. */
public final class EmbeddedStorage implements Storage {

    private final DurableSessionStore sessions;
    private final LocalBudgets budgets;

    private EmbeddedStorage(DurableSessionStore sessions, LocalBudgets budgets) {
        this.sessions = sessions;
        this.budgets = budgets;
    }

    public static EmbeddedStorage open(ServerConfig config, Clock clock) {
        return new EmbeddedStorage(DurableSessionStore.open(config.dataDir(), config.timings(), clock.millis()),
                new LocalBudgets(config.throttle().window(), clock));
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public ThrottleBudgets budgets() {
        return budgets;
    }

    /** The store lives in this process: if this runs, it is ready. */
    @Override
    public CompletionStage<Boolean> ready() {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public void close() {
        sessions.close();
    }
}
