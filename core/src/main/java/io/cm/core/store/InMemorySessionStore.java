package io.cm.core.store;

import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Sessions in this process's memory. Decisions run inside {@link ConcurrentHashMap#compute}, so
 * they are atomic per subject and never block other subjects' bins for long (they are pure and small).
 *
 * <p>Deadlines are kept per subject, not per session, in a sorted set. A heartbeat only moves a
 * deadline later, so it leaves the index alone; the earlier entry fires, finds nothing expired and
 * the resulting update schedules the real deadline. Expiry work is thus proportional to the
 * subjects due, and a heartbeat costs no index operation.
 */
public final class InMemorySessionStore implements SessionStore {

    private static final long NOT_SCHEDULED = Long.MAX_VALUE;

    private record Due(long at, long sequence, SubjectKey subject) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /** Mutable only inside {@code compute} of its own key. */
    private static final class Entry {
        SubjectSessions state;
        long scheduled = NOT_SCHEDULED;

        Entry(SubjectSessions state) {
            this.state = state;
        }
    }

    private final ConcurrentHashMap<SubjectKey, Entry> subjects = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Due> deadlines = new ConcurrentSkipListSet<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong activeSessions = new AtomicLong();

    @Override
    public <R> R update(SubjectKey subject, Function<SubjectSessions, Change<R>> decision) {
        @SuppressWarnings("unchecked")
        R[] result = (R[]) new Object[1];
        subjects.compute(subject, (key, entry) -> {
            SubjectSessions current = entry == null ? SubjectSessions.EMPTY : entry.state;
            Change<R> change = decision.apply(current);
            result[0] = change.result();
            SubjectSessions next = change.next();
            activeSessions.addAndGet(next.active().size() - current.active().size());
            if (next.isEmpty()) return null;
            Entry kept = entry == null ? new Entry(next) : entry;
            kept.state = next;
            long deadline = next.nextDeadline();
            if (deadline < kept.scheduled) {
                kept.scheduled = deadline;
                deadlines.add(new Due(deadline, sequence.incrementAndGet(), key));
            }
            return kept;
        });
        return result[0];
    }

    @Override
    public SubjectSessions read(SubjectKey subject) {
        Entry entry = subjects.get(subject);
        return entry == null ? SubjectSessions.EMPTY : entry.state;
    }

    @Override
    public List<SubjectKey> takeDue(long now, int max) {
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
                return entry;
            });
            due.add(first.subject);
        }
        return due;
    }

    @Override
    public long activeSessions() {
        return activeSessions.get();
    }
}
