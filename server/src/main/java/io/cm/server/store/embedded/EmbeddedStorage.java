package io.cm.server.store.embedded;

import io.cm.core.store.SessionStore;
import io.cm.server.config.ServerConfig;
import io.cm.server.store.Storage;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code server.store: embedded}: sessions in memory and in the data directory. */
public final class EmbeddedStorage implements Storage {

    private final DurableSessionStore sessions;

    private EmbeddedStorage(DurableSessionStore sessions) {
        this.sessions = sessions;
    }

    public static EmbeddedStorage open(ServerConfig config, Clock clock) {
        return new EmbeddedStorage(DurableSessionStore.open(config.dataDir(), config.timings(), clock.millis()));
    }

    @Override
    public SessionStore sessions() {
        return sessions;
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
