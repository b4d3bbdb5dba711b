package io.cm.server.store.embedded;

import io.cm.core.service.SessionTimings;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.core.store.InMemorySessionStore;
import io.cm.core.store.Metered;
import io.cm.core.store.Spend;
import io.cm.core.store.Touch;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

    private final InMemorySessionStore memory = new InMemorySessionStore(this::write);
    private final ExecutorService committer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("cm-session-commit").daemon().factory());
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
            memory.update(subject, Optional.empty(), ignored -> new Change<>(restored, null)).toCompletableFuture().join();
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

    /**
     * Inside the subject's atomic step: writes the subject's new state to the file's map (so the map
     * sees one subject's states in decision order), then commits on the committer thread; the caller's
     * stage completes once the file holds the change.
     */
    private CompletionStage<Void> write(SubjectKey subject, SubjectSessions previous, SubjectSessions next) {
        if (sameBeyondHeartbeats(previous, next)) return CompletableFuture.completedFuture(null);
        String key = SubjectKeys.format(subject);
        if (next.isEmpty()) subjects.remove(key);
        else subjects.put(key, codec.encode(next));
        return CompletableFuture.runAsync(file::commit, committer);
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

    @Override
    public void close() {
        committer.close();
        file.close();
    }
}
