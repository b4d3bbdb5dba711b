package io.cm.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything stored for one subject: its active sessions (in start order) and the sessions other
 * sessions ended recently. Immutable; a decision produces a new value that the store commits.
 */
public record SubjectSessions(List<Session> active, List<EndedSession> ended) {

    public static final SubjectSessions EMPTY = new SubjectSessions(List.of(), List.of());

    public SubjectSessions {
        active = List.copyOf(active);
        ended = List.copyOf(ended);
    }

    public boolean isEmpty() {
        return active.isEmpty() && ended.isEmpty();
    }

    public Optional<Session> activeSession(String id) {
        return active.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public Optional<EndedSession> endedSession(String id) {
        return ended.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The earliest instant at which something here expires or is forgotten; {@code Long.MAX_VALUE} if none. */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Session s : active) next = Math.min(next, s.expiresAt());
        for (EndedSession e : ended) next = Math.min(next, e.forgetAt());
        return next;
    }

    /** Active sessions past their expiry at {@code now}. */
    public List<Session> expiredAt(long now) {
        List<Session> expired = new ArrayList<>();
        for (Session s : active) if (!s.isActiveAt(now)) expired.add(s);
        return expired;
    }

    /** This state with expired sessions removed and forgotten tombstones dropped. */
    public SubjectSessions withoutExpired(long now) {
        boolean unchanged = active.stream().allMatch(s -> s.isActiveAt(now))
                && ended.stream().allMatch(e -> now < e.forgetAt());
        if (unchanged) return this;
        return new SubjectSessions(
                active.stream().filter(s -> s.isActiveAt(now)).toList(),
                ended.stream().filter(e -> now < e.forgetAt()).toList());
    }
}
