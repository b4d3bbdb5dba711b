package io.cm.server.store;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Conflict;
import io.cm.core.session.EndReason;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectSessions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A subject's state survives encoding: sessions, metadata, and both kinds of advice kept for ended sessions. */
class SubjectSessionsCodecTest {

    private final SubjectSessionsCodec codec = new SubjectSessionsCodec();

    @Test
    void activeSessionsAndBothKindsOfEndedSessionsRoundTrip() {
        Session active = new Session("id-1", "K7Q2ZP", "demo-app", 1_000, 2_000, 92_000,
                Map.of("deviceId", "tv", "channel", "news"));
        Conflict conflict = new Conflict("id-1", "K7Q2ZP", "demo-app", "Demo application", 1_000, Map.of("deviceId", "tv"));
        EndedSession dismissed = new EndedSession("id-0", EndReason.DISMISSED, new Advice.RuleViolation("latest-wins",
                "max_streams", "too many", 2, 3, Optional.empty(), Optional.of("x"), List.of(conflict),
                Optional.of("id-1")), 700_000);
        EndedSession killed = new EndedSession("id-2", EndReason.KILLED, new Advice.RemoteTermination("id-1",
                Advice.RemoteTermination.REASON, new Advice.Terminator("Demo application", Optional.of("TV"),
                Optional.empty(), 1_000)), 800_000);
        SubjectSessions state = new SubjectSessions(List.of(active), List.of(dismissed, killed));

        assertThat(codec.decode(codec.encode(state))).isEqualTo(state);
    }

    @Test
    void helpersOfTheRecordsAreNotWritten() {
        String encoded = new String(codec.encode(SubjectSessions.EMPTY), StandardCharsets.UTF_8);

        assertThat(encoded).isEqualTo("{\"active\":[],\"ended\":[],\"policyVersion\":0}");
    }

    @Test
    void corruptBytesAreAnErrorNotAnEmptyState() {
        assertThatThrownBy(() -> codec.decode("{\"active\":[{\"id\":".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("cannot decode");
    }
}
