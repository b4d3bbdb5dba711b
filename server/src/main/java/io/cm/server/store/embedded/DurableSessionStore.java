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
 * <p>A change of which sessions exist (start, stop, kill, dismissal, expiry) is committed to the
 * file before the caller answers, so a {@code kill -9} right after a 202 keeps it; the file is
 * written, not fsynced, which survives a process crash (not a power loss). A heartbeat only updates
 * the map and is written by MVStore's background commit within a second: a crash may lose the
 * last heartbeat times, so on start every restored session is given a full lifetime from then.
 */
public final class DurableSessionStore implements SessionStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableSessionStore.class);
    private static final String FILE = "sessions.mv";

    private final InMemorySessionStore memory = new InMemorySessionStore();
    private final SubjectSessionsCodec codec = new SubjectSessionsCodec();
    private final MVStore file;
    private final MVMap<String, byte[]> subjects;

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
            file = new MVStore.Builder().fileName(path.toString()).compress().open();
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
        boolean[] membershipChanged = new boolean[1];
        R result = memory.update(subject, current -> {
            Change<R> change = decision.apply(current);
            SubjectSessions next = change.next();
            if (next != current) {
                // Inside the subject's lock, so the map sees one subject's states in decision order.
                String key = SubjectKeys.format(subject);
                if (next.isEmpty()) subjects.remove(key);
                else subjects.put(key, codec.encode(next));
                membershipChanged[0] = !sameSessions(current, next);
            }
            return change;
        });
        if (membershipChanged[0]) file.commit();
        return result;
    }

    private static boolean sameSessions(SubjectSessions a, SubjectSessions b) {
        return sessionIds(a).equals(sessionIds(b));
    }

    private static List<String> sessionIds(SubjectSessions state) {
        return Stream.concat(state.active().stream().map(Session::id), state.ended().stream().map(EndedSession::id))
                .toList();
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
