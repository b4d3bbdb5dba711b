package io.cm.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything stored for one subject: its active sessions (in start order) and the sessions other
 * sessions ended recently. Immutable; a decision produces a new value that the store commits.
 *
 * @param policyVersion the {@link io.cm.core.policy.Catalog#version() policies} under which these
 *                      sessions were last evaluated together; 0 when unknown. While it equals the
 *                      current version, a heartbeat that changes no metadata cannot be denied.
 */
public record SubjectSessions(List<Session> active, List<EndedSession> ended, long policyVersion) {

    public static final SubjectSessions EMPTY = new SubjectSessions(List.of(), List.of());

    public SubjectSessions {
        active = List.copyOf(active);
        ended = List.copyOf(ended);
    }

    /** A state whose evaluation is unknown, e.g. built by hand in tests. */
    public SubjectSessions(List<Session> active, List<EndedSession> ended) {
        this(active, ended, 0);
    }

    /** This state with {@code session} in place of the active session with its id. */
    public SubjectSessions replacing(Session session) {
        Session[] next = active.toArray(Session[]::new);
        for (int i = 0; i < next.length; i++) {
            if (next[i].id().equals(session.id())) next[i] = session;
        }
        return new SubjectSessions(List.of(next), ended, policyVersion);
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
                ended.stream().filter(e -> now < e.forgetAt()).toList(),
                policyVersion);
    }
}
