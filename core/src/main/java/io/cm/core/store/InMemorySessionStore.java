package io.cm.core.store;

import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Sessions in this process's memory. Decisions run inside {@link ConcurrentHashMap#compute}, so
 * they are atomic per subject and never block other subjects' bins for long (they are pure and
 * small); they run on the calling thread, so an event loop decides without a hop. Each commit is
 * handed to the {@link CommitLog} in the same step, and the caller's stage completes when the log
 * says the commit is kept.
 *
 * <p>Request budgets live in the subject's entry beside its sessions: one lookup serves both.
 * A subject whose sessions are all gone keeps its entry while its init budget's window runs.
 *
 * <p>Deadlines are kept per subject, not per session, in a sorted set. A heartbeat only moves a
 * deadline later, so it leaves the index alone; the earlier entry fires, finds nothing expired and
 * the resulting update schedules the real deadline. Expiry work is thus proportional to the
 * subjects due, and a heartbeat costs no index operation.
 */
public final class InMemorySessionStore implements SessionStore {

    private static final long NOT_SCHEDULED = Long.MAX_VALUE;
    private static final CompletableFuture<Void> KEPT = CompletableFuture.completedFuture(null);

    private record Due(long at, long sequence, SubjectKey subject) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /** Mutable only inside {@code compute} of its own key. */
    private static final class Entry {
        SubjectSessions state = SubjectSessions.EMPTY;
        long scheduled = NOT_SCHEDULED;
        /** The subject's init budget, once it had an init; with the limit it was last taken under. */
        RequestWindow inits;
        RequestLimit initLimit;
        /** The budgets of {@code state.active()}, index for index; null where a session had no request yet. */
        RequestWindow[] sessionWindows = new RequestWindow[0];

        /** Sets the new state, carrying each remaining session's budget over to its new index. */
        void commit(SubjectSessions next) {
            List<Session> before = state.active();
            List<Session> after = next.active();
            RequestWindow[] windows = new RequestWindow[after.size()];
            for (int i = 0; i < after.size(); i++) {
                int old = indexOf(before, after.get(i).id());
                if (old >= 0) windows[i] = sessionWindows[old];
            }
            state = next;
            sessionWindows = windows;
        }

        /** The end of the init budget's window; a subject with no sessions lives on until then. */
        long budgetEnd() {
            return inits == null ? Long.MIN_VALUE : inits.end(initLimit);
        }

        long nextDeadline() {
            long deadline = state.nextDeadline();
            return state.isEmpty() && inits != null ? Math.min(deadline, budgetEnd()) : deadline;
        }
    }

    private final ConcurrentHashMap<SubjectKey, Entry> subjects = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Due> deadlines = new ConcurrentSkipListSet<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong activeSessions = new AtomicLong();
    private final CommitLog log;

    public InMemorySessionStore(CommitLog log) {
        this.log = log;
    }

    /** Sessions that live as long as the process. */
    public InMemorySessionStore() {
        this(CommitLog.NONE);
    }

    @Override
    public <R> CompletionStage<Metered<R>> update(SubjectKey subject, Optional<Spend> spend,
                                                  Function<SubjectSessions, Change<R>> decision) {
        Object[] outcome = new Object[2];
        subjects.compute(subject, (key, existing) -> {
            Entry entry = existing == null ? new Entry() : existing;
            if (spend.isPresent() && !take(entry, spend.get(), outcome)) return existing;
            SubjectSessions current = entry.state;
            Change<R> change = decision.apply(current);
            outcome[0] = new Metered.Done<>(change.result());
            SubjectSessions next = change.next();
            if (next != current) {
                outcome[1] = log.append(key, current, next);
                activeSessions.addAndGet(next.active().size() - current.active().size());
                entry.commit(next);
            }
            return keep(key, entry);
        });
        @SuppressWarnings("unchecked")
        Metered<R> result = (Metered<R>) outcome[0];
        @SuppressWarnings("unchecked")
        CompletionStage<Void> kept = outcome[1] == null ? KEPT : (CompletionStage<Void>) outcome[1];
        return kept.thenApply(done -> result);
    }

    /** Takes {@code spend} from its budget in {@code entry}; false (and the outcome set) when it is spent. */
    private static boolean take(Entry entry, Spend spend, Object[] outcome) {
        if (spend.sessionId().isEmpty()) {
            RequestWindow window = entry.inits;
            if (window != null && !window.hasRoom(spend.now(), spend.limit())) {
                outcome[0] = new Metered.Throttled<>(window.end(spend.limit()));
                return false;
            }
            entry.inits = window == null ? RequestWindow.first(spend.now()) : window.take(spend.now(), spend.limit());
            entry.initLimit = spend.limit();
            return true;
        }
        int index = indexOf(entry.state.active(), spend.sessionId().get());
        return index < 0 || takeSessionRequest(entry, index, spend, outcome);
    }

    private static boolean takeSessionRequest(Entry entry, int index, Spend spend, Object[] outcome) {
        RequestWindow window = entry.sessionWindows[index];
        if (window != null && !window.hasRoom(spend.now(), spend.limit())) {
            outcome[0] = new Metered.Throttled<>(window.end(spend.limit()));
            return false;
        }
        entry.sessionWindows[index] = window == null ? RequestWindow.first(spend.now())
                : window.take(spend.now(), spend.limit());
        return true;
    }

    /** The entry to keep for {@code key}, scheduling its next deadline; null when nothing is left of it. */
    private Entry keep(SubjectKey key, Entry entry) {
        if (entry.state.isEmpty() && entry.inits == null) return null;
        long deadline = entry.nextDeadline();
        if (deadline < entry.scheduled) {
            entry.scheduled = deadline;
            deadlines.add(new Due(deadline, sequence.incrementAndGet(), key));
        }
        return entry;
    }

    @Override
    public CompletionStage<Metered<Touch>> touch(SubjectKey subject, String sessionId, Spend spend, long expiresAt,
                                                 long policyVersion) {
        Object[] outcome = {new Metered.Done<Touch>(new Touch.Undecided())};
        subjects.computeIfPresent(subject, (key, entry) -> {
            int index = indexOf(entry.state.active(), sessionId);
            if (index < 0 || entry.state.policyVersion() != policyVersion) return entry;
            Session session = entry.state.active().get(index);
            if (!session.isActiveAt(spend.now())) return entry;
            if (!takeSessionRequest(entry, index, spend, outcome)) return entry;
            Session beaten = session.heartbeat(spend.now(), expiresAt, session.metadata());
            entry.state = entry.state.replacing(beaten);
            outcome[0] = new Metered.Done<Touch>(new Touch.Touched(beaten));
            return entry;
        });
        @SuppressWarnings("unchecked")
        Metered<Touch> result = (Metered<Touch>) outcome[0];
        return CompletableFuture.completedFuture(result);
    }

    private static int indexOf(List<Session> sessions, String id) {
        for (int i = 0; i < sessions.size(); i++) {
            if (sessions.get(i).id().equals(id)) return i;
        }
        return -1;
    }

    @Override
    public CompletionStage<SubjectSessions> read(SubjectKey subject) {
        Entry entry = subjects.get(subject);
        return CompletableFuture.completedFuture(entry == null ? SubjectSessions.EMPTY : entry.state);
    }

    /**
     * Also where a subject with no sessions left is dropped, once its init budget's window is over:
     * only this call knows the time without an update.
     */
    @Override
    public CompletionStage<List<SubjectKey>> takeDue(long now, int max) {
        List<SubjectKey> due = new ArrayList<>();
        while (due.size() < max) {
            Due first = deadlines.pollFirst();
            if (first == null) break;
            if (first.at > now) {
                deadlines.add(first);
                break;
            }
            subjects.computeIfPresent(first.subject, (key, entry) -> {
                if (entry.scheduled <= first.at) entry.scheduled = NOT_SCHEDULED;
                if (entry.state.isEmpty() && entry.budgetEnd() <= now) return null;
                return entry;
            });
            due.add(first.subject);
        }
        return CompletableFuture.completedFuture(due);
    }

    /**
     * Hands every subject's current state to {@code action}, for a snapshot of the store while it keeps
     * serving. Each state is read inside its subject's atomic step, so it includes every commit of that
     * subject whose step had begun before this read; a subject changed meanwhile may be seen before or
     * after the change. Runs on the calling thread, O(subjects); {@code action} runs outside the step.
     */
    public void forEachSubject(BiConsumer<SubjectKey, SubjectSessions> action) {
        SubjectSessions[] seen = new SubjectSessions[1];
        for (SubjectKey subject : subjects.keySet()) {
            seen[0] = null;
            subjects.computeIfPresent(subject, (key, entry) -> {
                seen[0] = entry.state;
                return entry;
            });
            if (seen[0] != null) action.accept(subject, seen[0]);
        }
    }

    /** Subjects held in memory, with sessions or a running init budget. */
    public int subjects() {
        return subjects.size();
    }

    @Override
    public long activeSessions() {
        return activeSessions.get();
    }
}
