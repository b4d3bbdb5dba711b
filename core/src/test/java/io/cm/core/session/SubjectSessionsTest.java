package io.cm.core.session;

import io.cm.core.evaluation.Advice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SubjectSessionsTest {

    private static Session session(String id, long expiresAt) {
        return new Session(id, "C" + id, "app", 0, 0, expiresAt, Map.of());
    }

    private static EndedSession tombstone(String id, long forgetAt) {
        return new EndedSession(id, EndReason.KILLED, new Advice.RemoteTermination("k", Advice.RemoteTermination.REASON,
                new Advice.Terminator("App", Optional.empty(), Optional.empty(), 0)), forgetAt);
    }

    @Test
    void sessionIsActiveUpToAndIncludingItsExpiry() {
        Session s = session("s", 100);

        assertThat(s.isActiveAt(99)).isTrue();
        assertThat(s.isActiveAt(100)).isTrue();
        assertThat(s.isActiveAt(101)).isFalse();
    }

    @Test
    void withoutExpiredDropsExpiredSessionsAndForgottenTombstonesOnly() {
        SubjectSessions state = new SubjectSessions(
                List.of(session("old", 100), session("fresh", 200)),
                List.of(tombstone("forgotten", 150), tombstone("remembered", 151)));

        SubjectSessions next = state.withoutExpired(150);

        assertThat(next.active()).extracting(Session::id).containsExactly("fresh");
        assertThat(next.ended()).extracting(EndedSession::id).containsExactly("remembered");
        assertThat(state.expiredAt(150)).extracting(Session::id).containsExactly("old");
    }

    @Test
    void withoutExpiredReturnsTheSameStateWhenNothingIsDue() {
        SubjectSessions state = new SubjectSessions(List.of(session("s", 100)), List.of(tombstone("t", 200)));

        assertThat(state.withoutExpired(100)).isSameAs(state);
        assertThat(state.expiredAt(100)).isEmpty();
    }

    @Test
    void nextDeadlineIsTheEarliestExpiryOrForgetTime() {
        assertThat(new SubjectSessions(List.of(session("a", 300), session("b", 200)), List.of(tombstone("t", 250)))
                .nextDeadline()).isEqualTo(200);
        assertThat(new SubjectSessions(List.of(session("a", 300)), List.of(tombstone("t", 250)))
                .nextDeadline()).isEqualTo(250);
        assertThat(SubjectSessions.EMPTY.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void sessionsAreFoundByIdAmongActiveOrEnded() {
        SubjectSessions state = new SubjectSessions(List.of(session("a", 300)), List.of(tombstone("t", 250)));

        assertThat(state.activeSession("a")).isPresent();
        assertThat(state.activeSession("t")).isEmpty();
        assertThat(state.endedSession("t")).isPresent();
        assertThat(state.endedSession("a")).isEmpty();
        assertThat(state.isEmpty()).isFalse();
        assertThat(SubjectSessions.EMPTY.isEmpty()).isTrue();
    }
}
