package io.cm.server.store.embedded;

import io.cm.core.ManualClock;
import io.cm.core.service.SessionTimings;
import io.cm.core.store.SessionStore;
import io.cm.core.store.StoreContract;
import io.cm.server.config.ServerConfig.Fsync;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The journaled embedded store keeps every rule of a session store. */
class JournalStoreContractTest extends StoreContract {

    @TempDir
    Path dir;

    @Override
    protected SessionStore open(ManualClock clock) {
        return JournalSessionStore.open(dir, JournalSettings.of(Fsync.INTERVAL), SessionTimings.DEFAULTS, clock,
                CompactionStep.Observer.NONE);
    }

    @Override
    protected void close(SessionStore store) {
        ((JournalSessionStore) store).close();
    }
}
