package io.cm.server.store.embedded;

import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Conflict;
import io.cm.core.session.EndReason;
import io.cm.core.session.EndedSession;
import io.cm.core.session.Session;
import io.cm.core.session.SubjectKey;
import io.cm.core.session.SubjectSessions;
import io.cm.server.store.embedded.SubjectStateCodec.SubjectState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A subject's state survives the journal's binary form unchanged, compactly, and damage is detected. */
class SubjectStateCodecTest {

    private static final long NOW = 1_767_225_600_000L;
    private static final SubjectKey ALICE_KEY = new SubjectKey("idp", "alice");
    private static final SubjectKey BOB_KEY = new SubjectKey("idp", "bob");

    private static byte[] payload(SubjectKey subject, SubjectSessions state) {
        RecordBuffer buffer = new RecordBuffer(16);
        SubjectStateCodec.encode(subject, state, buffer);
        ByteBuffer bytes = buffer.contents();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }

    private final StringCache shared = new StringCache();

    private SubjectState decode(byte[] payload) {
        return SubjectStateCodec.decode(new RecordReader(payload, 0, payload.length, shared));
    }

    @Test
    void everyPartOfAStateComesBackEqual() {
        Session plain = new Session("s1", "K7Q2ZP", "demo-app", NOW, NOW + 60_000, NOW + 150_000,
                Map.of("deviceId", "tv", "channel", "Chaîne 1 📺", "empty", ""));
        Session odd = new Session("s2", "", "app", -5, Long.MIN_VALUE, Long.MAX_VALUE, Map.of());
        Advice violation = new Advice.RuleViolation("demo-policy", "max_per_value", "At most 2 per channel", 2, 3,
                Optional.of("channel"), Optional.of("news"),
                List.of(new Conflict("s3", "C3", "demo-app", "Demo application", NOW - 1, Map.of("channel", "news"))),
                Optional.of("s1"));
        Advice bare = new Advice.RuleViolation("p", "max_streams", "m", 1, 2, Optional.empty(), Optional.empty(),
                List.of(), Optional.empty());
        Advice killed = new Advice.RemoteTermination("s1", Advice.RemoteTermination.REASON,
                new Advice.Terminator("Demo application", Optional.of("TV"), Optional.empty(), NOW));
        SubjectSessions state = new SubjectSessions(List.of(plain, odd), List.of(
                new EndedSession("d1", EndReason.DISMISSED, violation, NOW + 600_000),
                new EndedSession("d2", EndReason.STOPPED, bare, 0),
                new EndedSession("k1", EndReason.KILLED, killed, NOW + 600_000)), -7_234_567_890_123L);
        SubjectKey subject = new SubjectKey("idp:with/colon", "ünïcode/subject");

        assertThat(decode(payload(subject, state))).isEqualTo(new SubjectState(subject, state));
    }

    @Test
    void anEmptyStateSaysTheSubjectHasNothingLeft() {
        SubjectState decoded = decode(payload(ALICE_KEY, SubjectSessions.EMPTY));

        assertThat(decoded.state().isEmpty()).isTrue();
        assertThat(decoded.state()).isEqualTo(SubjectSessions.EMPTY);
    }

    @Test
    void aTypicalSessionTakesUnderTwoHundredBytes() {
        Session session = new Session("dGhpcyBpcyBhIDMyIGNoYXIgaWQhISEh", "K7Q2ZP", "demo-app", NOW, NOW, NOW + 90_000,
                Map.of("deviceId", "device-789", "deviceName", "Living room TV", "channel", "Channel1",
                        "platform", "web"));
        byte[] bytes = payload(new SubjectKey("idp1", "subscriber-0001234"),
                new SubjectSessions(List.of(session), List.of(), 42));

        assertThat(bytes.length).isLessThan(200);
    }

    @Test
    void whatManySessionsHoldIsOneStringInMemoryAfterReadingButIdsAreTheirOwn() {
        Session first = new Session("s1", "C1", "demo-app", NOW, NOW, NOW + 1, Map.of("channel", "news"));
        Session second = new Session("s2", "C2", "demo-app", NOW, NOW, NOW + 1, Map.of("channel", "news"));
        Session one = decode(payload(ALICE_KEY, new SubjectSessions(List.of(first), List.of()))).state().active().getFirst();
        Session two = decode(payload(BOB_KEY, new SubjectSessions(List.of(second), List.of()))).state().active().getFirst();

        assertThat(two.applicationId()).isSameAs(one.applicationId());
        assertThat(two.metadata().keySet().iterator().next()).isSameAs(one.metadata().keySet().iterator().next());
        assertThat(two.metadata().get("channel")).isSameAs(one.metadata().get("channel"));
        assertThat(two).isEqualTo(second);
    }

    @Test
    void aTruncatedOrPaddedPayloadIsRejected() {
        byte[] whole = payload(ALICE_KEY, new SubjectSessions(
                List.of(new Session("s1", "C", "app", NOW, NOW, NOW + 1, Map.of("k", "v"))), List.of()));

        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> decode(cut)).as("cut at %d", length).isInstanceOf(IllegalArgumentException.class);
        }
        byte[] padded = Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> decode(padded)).isInstanceOf(IllegalArgumentException.class);
    }
}
