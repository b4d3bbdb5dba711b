package io.cm.server.store.embedded;

import io.cm.core.ManualClock;
import io.cm.server.config.ServerConfig.Fsync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static io.cm.server.store.embedded.JournalFixture.ALICE;
import static io.cm.server.store.embedded.JournalFixture.await;
import static io.cm.server.store.embedded.JournalFixture.open;
import static io.cm.server.store.embedded.JournalFixture.put;
import static io.cm.server.store.embedded.JournalFixture.session;
import static io.cm.server.store.embedded.JournalFixture.sessions;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code server.fsync} (SPEC §12): when written records are forced to disk. Time is the test's clock. */
class JournalFsyncTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(0));

    private JournalSessionStore open(Fsync fsync) {
        return JournalFixture.open(dir, clock, JournalSettings.of(fsync));
    }

    private static void change(JournalSessionStore store, int n) {
        put(store, ALICE, sessions(session("s" + n, 0)));
    }

    @Test
    void alwaysForcesEveryWriteBeforeTheChangeIsAcknowledged() {
        try (JournalSessionStore store = open(Fsync.ALWAYS)) {
            for (int n = 1; n <= 5; n++) {
                change(store, n);
                assertThat(store.forces()).as("after change %d", n).isEqualTo(n);
            }
        }
    }

    @Test
    void intervalForcesOnceASecondHasPassedSinceTheLastForce() {
        try (JournalSessionStore store = open(Fsync.INTERVAL)) {
            change(store, 1);
            clock.advance(Duration.ofMillis(999));
            change(store, 2);
            assertThat(store.forces()).as("within the first second").isZero();

            clock.advance(Duration.ofMillis(1));
            await(store.flush());
            assertThat(store.forces()).as("a second after the start").isEqualTo(1);

            change(store, 3);
            await(store.flush());
            assertThat(store.forces()).as("just forced").isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            await(store.flush());
            assertThat(store.forces()).as("a second later, with a write since").isEqualTo(2);

            clock.advance(Duration.ofSeconds(5));
            await(store.flush());
            assertThat(store.forces()).as("nothing written since").isEqualTo(2);
        }
    }

    @Test
    void neverLeavesForcingToTheOperatingSystemUntilTheClose() {
        JournalSessionStore store = open(Fsync.NEVER);
        for (int n = 1; n <= 5; n++) {
            change(store, n);
            clock.advance(Duration.ofSeconds(2));
        }
        await(store.flush());
        assertThat(store.forces()).isZero();

        store.close();
        assertThat(store.forces()).as("closing writes everything down").isEqualTo(1);
    }

    @Test
    void everyPolicyForcesOnClose() {
        for (Fsync fsync : Fsync.values()) {
            JournalSessionStore store = open(fsync);
            change(store, 10 + fsync.ordinal());
            long before = store.forces();
            store.close();
            assertThat(store.forces()).as(fsync.name()).isEqualTo(fsync == Fsync.ALWAYS ? before : before + 1);
        }
    }
}
