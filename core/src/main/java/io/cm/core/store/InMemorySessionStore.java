package io.cm.core.store;

import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;

import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * Mutable only inside {@code compute} of its own key. Budgets are kept as packed longs, not
     * {@link RequestWindow} objects: at a million sessions each object would cost more heap than the
     * session's own fields (SPEC target: at most 1 KiB per active session).
     */
    private static final class Entry {
        private static final long[] NO_WINDOWS = new long[0];
        private static final long UNUSED = -1;

        SubjectSessions state = SubjectSessions.EMPTY;
        long scheduled = NOT_SCHEDULED;
        /** The subject's init budget ({@link RequestWindow#packed()}), once it had an init. */
        long inits = UNUSED;
        /** When the init budget's window ends: a subject with no sessions lives on until then. */
        long initsEnd = Long.MIN_VALUE;
        /** The budgets of {@code state.active()}, index for index; {@link #UNUSED} where a session had none yet. */
        long[] sessionWindows = NO_WINDOWS;

        /** Sets the new state, carrying each remaining session's budget over to its new index. */
        void commit(SubjectSessions next) {
            List<Session> before = state.active();
            List<Session> after = next.active();
            long[] windows = NO_WINDOWS;
            for (int i = 0; i < after.size(); i++) {
                int old = sessionWindows.length == 0 ? -1 : indexOf(before, after.get(i).id());
                if (old < 0 || sessionWindows[old] == UNUSED) continue;
                if (windows == NO_WINDOWS) {
                    windows = new long[after.size()];
                    Arrays.fill(windows, UNUSED);
                }
                windows[i] = sessionWindows[old];
            }
            state = next;
            sessionWindows = windows;
        }

        long nextDeadline() {
            long deadline = state.nextDeadline();
            return state.isEmpty() && inits != UNUSED ? Math.min(deadline, initsEnd) : deadline;
        }

        /** Takes a request from the session's budget at {@code index}; the spent window when there was no room. */
        Optional<RequestWindow> takeSessionRequest(int index, Spend spend) {
            long packed = sessionWindows.length == 0 ? UNUSED : sessionWindows[index];
            Optional<RequestWindow> spent = take(packed, spend);
            if (spent.isPresent()) return spent;
            if (sessionWindows.length == 0) {
                sessionWindows = new long[state.active().size()];
                Arrays.fill(sessionWindows, UNUSED);
            }
            sessionWindows[index] = taken(packed, spend).packed();
            return Optional.empty();
        }

        Optional<RequestWindow> takeInit(Spend spend) {
            Optional<RequestWindow> spent = take(inits, spend);
            if (spent.isPresent()) return spent;
            RequestWindow window = taken(inits, spend);
            inits = window.packed();
            initsEnd = window.end(spend.limit());
            return Optional.empty();
        }

        private static Optional<RequestWindow> take(long packed, Spend spend) {
            if (packed == UNUSED) return Optional.empty();
            RequestWindow window = RequestWindow.unpacked(packed);
            return window.hasRoom(spend.now(), spend.limit()) ? Optional.empty() : Optional.of(window);
        }

        private static RequestWindow taken(long packed, Spend spend) {
            return packed == UNUSED ? RequestWindow.first(spend.now())
                    : RequestWindow.unpacked(packed).take(spend.now(), spend.limit());
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
        Optional<RequestWindow> spent;
        if (spend.sessionId().isEmpty()) {
            spent = entry.takeInit(spend);
        } else {
            int index = indexOf(entry.state.active(), spend.sessionId().get());
            spent = index < 0 ? Optional.empty() : entry.takeSessionRequest(index, spend);
        }
        spent.ifPresent(window -> outcome[0] = new Metered.Throttled<>(window.end(spend.limit())));
        return spent.isEmpty();
    }

    /** The entry to keep for {@code key}, scheduling its next deadline; null when nothing is left of it. */
    private Entry keep(SubjectKey key, Entry entry) {
        if (entry.state.isEmpty() && entry.inits == Entry.UNUSED) return null;
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
            Optional<RequestWindow> spent = entry.takeSessionRequest(index, spend);
            if (spent.isPresent()) {
                outcome[0] = new Metered.Throttled<Touch>(spent.get().end(spend.limit()));
                return entry;
            }
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
                if (entry.state.isEmpty() && entry.initsEnd <= now) return null;
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
