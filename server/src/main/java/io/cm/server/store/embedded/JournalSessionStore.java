package io.cm.server.store.embedded;

import io.cm.core.service.SessionTimings;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.InMemorySessionStore;
import io.cm.core.store.Metered;
import io.cm.core.store.SessionStore;
import io.cm.core.store.Spend;
import io.cm.core.store.Touch;
import io.cm.server.store.embedded.JournalReplay.Replayed;
import io.cm.server.store.embedded.SubjectStateCodec.SubjectState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The embedded default: decisions run on an {@link InMemorySessionStore} on the caller's thread (an
 * event loop), and every commit that a restart needs (sessions started, ended, killed, dismissed or
 * expired; metadata changed; re-evaluated under other policies) is appended to the journal in the
 * subject's atomic step. The caller's stage completes once the journal has written it to the OS.
 *
 * <p>A heartbeat that only moves times is not journaled (most are {@code touch}es, which never reach
 * the log): on start every restored session is given a full lifetime ({@code heartbeat-interval +
 * grace}) from then, which is what its last heartbeat time would have been used for. Tombstones keep
 * their own deadline; those past it are dropped on start.
 */
final class JournalSessionStore implements SessionStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalSessionStore.class);
    private static final CompletableFuture<Void> KEPT = CompletableFuture.completedFuture(null);

    private final InMemorySessionStore memory = new InMemorySessionStore(this::keep);
    private final JournalDirectory directory;
    /** Null while the journal is replayed into {@link #memory}: those commits come from it and are kept already. */
    private JournalWriter writer;
    private Compaction compaction;

    private JournalSessionStore(JournalDirectory directory) {
        this.directory = directory;
    }

    /**
     * Locks {@code dir}, restores what its journal holds as of {@code clock}'s now, and starts writing.
     * Blocking I/O: start-up only.
     *
     * @throws IllegalStateException if another server holds the directory, or it cannot be read or written
     */
    static JournalSessionStore open(Path dir, JournalSettings settings, SessionTimings timings, Clock clock,
                                    CompactionStep.Observer observer) {
        JournalDirectory directory = JournalDirectory.lock(dir);
        try {
            JournalSessionStore store = new JournalSessionStore(directory);
            long started = System.nanoTime();
            long now = clock.millis();
            long expiresAt = now + timings.heartbeatInterval().plus(timings.grace()).toMillis();
            Replayed replayed = JournalReplay.replay(directory, record -> store.restore(record, expiresAt, now));
            LOG.info("Restored {} subjects with {} active sessions from {} journal records in {} ({} ms)",
                    store.memory.subjects(), store.activeSessions(), replayed.records(), dir,
                    (System.nanoTime() - started) / 1_000_000);
            store.compaction = new Compaction(directory, store.memory::forEachSubject, observer, replayed.snapshotBytes());
            store.writer = JournalWriter.start(directory, settings, clock, store.compaction, replayed.nextSegment(),
                    replayed.segmentBytes());
            return store;
        } catch (IOException | RuntimeException e) {
            directory.close();
            if (e instanceof IllegalStateException clear) throw clear;
            throw new IllegalStateException("Cannot open the session journal " + dir + ": " + e, e);
        }
    }

    private void restore(SubjectState record, long expiresAt, long now) {
        SubjectSessions restored = withLifetimeUntil(record.state(), expiresAt).withoutExpired(now);
        memory.update(record.subject(), Optional.empty(), ignored -> new Change<>(restored, null));
    }

    private static SubjectSessions withLifetimeUntil(SubjectSessions state, long expiresAt) {
        Session[] active = state.active().toArray(Session[]::new);
        for (int i = 0; i < active.length; i++) {
            Session s = active[i];
            if (s.expiresAt() < expiresAt) {
                active[i] = new Session(s.id(), s.terminationCode(), s.applicationId(), s.startTime(), s.lastHeartbeat(),
                        expiresAt, s.metadata());
            }
        }
        return new SubjectSessions(List.of(active), state.ended(), state.policyVersion());
    }

    /** The {@link io.cm.core.store.CommitLog}: runs inside the subject's atomic step; only enqueues. */
    private CompletionStage<Void> keep(SubjectKey subject, SubjectSessions previous, SubjectSessions next) {
        if (writer == null || sameBeyondHeartbeats(previous, next)) return KEPT;
        return writer.append(subject, next);
    }

    /** Whether a restart would restore {@code a} and {@code b} alike: only heartbeat times differ. */
    private static boolean sameBeyondHeartbeats(SubjectSessions a, SubjectSessions b) {
        if (a.policyVersion() != b.policyVersion() || a.active().size() != b.active().size()
                || !a.ended().equals(b.ended())) {
            return false;
        }
        for (int i = 0; i < a.active().size(); i++) {
            Session x = a.active().get(i);
            Session y = b.active().get(i);
            if (!x.id().equals(y.id()) || !x.metadata().equals(y.metadata())) return false;
        }
        return true;
    }

    @Override
    public <R> CompletionStage<Metered<R>> update(SubjectKey subject, Optional<Spend> spend,
                                                  Function<SubjectSessions, Change<R>> decision) {
        return memory.update(subject, spend, decision);
    }

    @Override
    public CompletionStage<Metered<Touch>> touch(SubjectKey subject, String sessionId, Spend spend, long expiresAt,
                                                 long policyVersion) {
        return memory.touch(subject, sessionId, spend, expiresAt, policyVersion);
    }

    @Override
    public CompletionStage<SubjectSessions> read(SubjectKey subject) {
        return memory.read(subject);
    }

    @Override
    public CompletionStage<List<SubjectKey>> takeDue(long now, int max) {
        return memory.takeDue(now, max);
    }

    @Override
    public long activeSessions() {
        return memory.activeSessions();
    }

    /** Whether changes are being kept: false once the journal could not be written. */
    boolean healthy() {
        return writer.healthy();
    }

    /** Completes once everything committed before is written (and forced, if due). */
    CompletionStage<Void> flush() {
        return writer.flush();
    }

    /** Snapshots now; completes once the snapshot is in place and the files it replaces are gone. */
    CompletionStage<Void> compact() {
        return writer.compact();
    }

    /** The running or last compaction, started by {@link #compact} or by the journal's growth. */
    CompletionStage<Void> lastCompaction() {
        return compaction.last();
    }

    /** Times the journal was forced to disk. */
    long forces() {
        return writer.forces();
    }

    /** Bytes the journal holds on disk. */
    long diskBytes() {
        return directory.bytes();
    }

    /** Writes and forces what was committed, abandons a snapshot in progress, unlocks the directory. Blocks. */
    @Override
    public void close() {
        JournalDirectory.assertNotOnEventLoop();
        try {
            compaction.close();
            writer.close();
        } finally {
            directory.close();
        }
    }
}
