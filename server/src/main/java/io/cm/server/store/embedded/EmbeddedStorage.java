package io.cm.server.store.embedded;

import io.cm.core.store.SessionStore;
import io.cm.server.config.ServerConfig;
import io.cm.server.store.Storage;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code server.store: embedded}: sessions in memory, journaled to {@code <data-dir>/sessions}. */
public final class EmbeddedStorage implements Storage {

    private final JournalSessionStore sessions;

    private EmbeddedStorage(JournalSessionStore sessions) {
        this.sessions = sessions;
    }

    /**
     * Restores the sessions the data directory holds. Blocking I/O: start-up only.
     *
     * @throws IllegalStateException if another server uses the data directory, or it cannot be read or written
     */
    public static EmbeddedStorage open(ServerConfig config, Clock clock) {
        return new EmbeddedStorage(JournalSessionStore.open(journal(config.dataDir()),
                JournalSettings.of(config.fsync()), config.timings(), clock, CompactionStep.Observer.NONE));
    }

    /** Where the session journal lives in a data directory. */
    public static Path journal(Path dataDir) {
        return dataDir.resolve("sessions");
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    /** The store lives in this process: it is ready while its journal can be written. */
    @Override
    public CompletionStage<Boolean> ready() {
        return CompletableFuture.completedFuture(sessions.healthy());
    }

    @Override
    public void close() {
        sessions.close();
    }
}
