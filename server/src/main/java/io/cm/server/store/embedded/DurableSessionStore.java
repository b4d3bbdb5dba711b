package io.cm.server.store.embedded;

import io.cm.core.service.SessionTimings;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.InMemorySessionStore;
import io.cm.core.store.SessionStore;
import io.cm.server.store.SubjectKeys;
import io.cm.server.store.SubjectSessionsCodec;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The embedded default: decisions run on an {@link InMemorySessionStore}, and every subject's new
 * state is written to an H2 MVStore file in the data directory.
 *
 * <p>A change a restart needs (a session started, stopped, killed, dismissed or expired; new
 * metadata) is committed to the file before the caller answers, so a {@code kill -9} right after a
 * 202 keeps it; the file is written, not fsynced, which survives a process crash (not a power
 * loss). Callers waiting at once share one commit. A heartbeat that only moves times is not
 * written at all: on start every restored session is given a full lifetime from then, which is
 * what the last heartbeat time would have been used for.
 */
public final class DurableSessionStore implements SessionStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableSessionStore.class);
    private static final String FILE = "sessions.mv";

    private final InMemorySessionStore memory = new InMemorySessionStore();
    private final SubjectSessionsCodec codec = new SubjectSessionsCodec();
    private final MVStore file;
    private final MVMap<String, byte[]> subjects;
    /** Guards commits, so that a caller whose change a commit under way already covers need not make its own. */
    private final Object commitLock = new Object();
    /** Every change made at a version below this is in the file. */
    private volatile long committedBelow;

    private DurableSessionStore(MVStore file) {
        this.file = file;
        this.subjects = file.openMap("subjects");
    }

    /**
     * Opens (or creates) the store in {@code dataDir} and restores what it holds as of {@code now}.
     *
     * @throws IllegalStateException if the file is locked by another process or unreadable
     */
    public static DurableSessionStore open(Path dataDir, SessionTimings timings, long now) {
        Path path = dataDir.resolve(FILE);
        MVStore file;
        try {
            Files.createDirectories(dataDir);
            // Uncompressed: states are small, and compressing them cost more CPU than the whole decision.
            file = new MVStore.Builder().fileName(path.toString()).open();
        } catch (MVStoreException | IOException e) {
            throw new IllegalStateException("Cannot open the session store " + path + " (is another server using this "
                    + "data directory?): " + e.getMessage(), e);
        }
        DurableSessionStore store = new DurableSessionStore(file);
        int restored = store.restore(timings.heartbeatInterval().plus(timings.grace()).toMillis(), now);
        LOG.info("Restored {} subjects with {} active sessions from {}", restored, store.activeSessions(), path);
        return store;
    }

    private int restore(long lifetimeMillis, long now) {
        int count = 0;
        for (Map.Entry<String, byte[]> entry : subjects.entrySet()) {
            SubjectKey subject = SubjectKeys.parse(entry.getKey());
            SubjectSessions restored = withFullLifetime(codec.decode(entry.getValue()), now + lifetimeMillis)
                    .withoutExpired(now);
            memory.update(subject, ignored -> new Change<>(restored, null));
            count++;
        }
        return count;
    }

    private static SubjectSessions withFullLifetime(SubjectSessions state, long expiresAt) {
        List<Session> active = state.active().stream()
                .map(s -> s.expiresAt() >= expiresAt ? s : new Session(s.id(), s.terminationCode(), s.applicationId(),
                        s.startTime(), s.lastHeartbeat(), expiresAt, s.metadata()))
                .toList();
        return new SubjectSessions(active, state.ended());
    }

    @Override
    public <R> R update(SubjectKey subject, Function<SubjectSessions, Change<R>> decision) {
        long[] writtenAt = {-1};
        R result = memory.update(subject, current -> {
            Change<R> change = decision.apply(current);
            SubjectSessions next = change.next();
            if (next != current && !sameBeyondHeartbeats(current, next)) {
                // Inside the subject's lock, so the map sees one subject's states in decision order.
                String key = SubjectKeys.format(subject);
                if (next.isEmpty()) subjects.remove(key);
                else subjects.put(key, codec.encode(next));
                // Read after the write: the version it went into, or a later one (a commit ran in between).
                writtenAt[0] = file.getCurrentVersion();
            }
            return change;
        });
        if (writtenAt[0] >= 0) commitThrough(writtenAt[0]);
        return result;
    }

    /** Returns once every change made at {@code version} or before is in the file: group commit. */
    private void commitThrough(long version) {
        if (committedBelow > version) return;
        synchronized (commitLock) {
            if (committedBelow > version) return;
            long current = file.getCurrentVersion();
            file.commit();
            committedBelow = current + 1;
        }
    }

    /** Whether {@code a} and {@code b} hold the same sessions with the same metadata: only heartbeat times differ. */
    private static boolean sameBeyondHeartbeats(SubjectSessions a, SubjectSessions b) {
        if (!a.ended().equals(b.ended()) || a.active().size() != b.active().size()) return false;
        for (int i = 0; i < a.active().size(); i++) {
            Session x = a.active().get(i);
            Session y = b.active().get(i);
            if (!x.id().equals(y.id()) || !x.metadata().equals(y.metadata())) return false;
        }
        return true;
    }

    @Override
    public SubjectSessions read(SubjectKey subject) {
        return memory.read(subject);
    }

    @Override
    public List<SubjectKey> takeDue(long now, int max) {
        return memory.takeDue(now, max);
    }

    @Override
    public long activeSessions() {
        return memory.activeSessions();
    }

    @Override
    public void close() {
        file.close();
    }
}
