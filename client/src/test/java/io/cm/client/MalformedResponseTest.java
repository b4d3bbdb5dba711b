package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Bodies and headers the client cannot read (SPEC §7) are a typed {@link MalformedResponseException},
 * never an unchecked exception, in both forms of each call. Served by a fault-injecting server: the real
 * one never sends them.
 */
class MalformedResponseTest {

    /** What the client's call does against a server that always answers {@code status}, {@code headers}, {@code body}. */
    private MalformedResponseException malformed(int status, Map<String, String> headers, String body, ClientCall call) {
        try (FaultServer fault = FaultServer.start((exchange, n) -> FaultServer.reply(exchange, status, headers, body));
             ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            return catchThrowableOfType(MalformedResponseException.class, () -> call.on(manual.client));
        }
    }

    @FunctionalInterface
    private interface ClientCall {
        void on(ConcurrencyClient client) throws Exception;
    }

    private static ClientCall start(CallStyle style) {
        return client -> style.start(client, "alice", Map.of("deviceId", "tv"));
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void a409WhoseBodyIsNotJsonIsMalformedNotAConflict(CallStyle style) {
        MalformedResponseException error = malformed(409, Map.of(), "<html>Conflict</html>", start(style));

        assertThat(error.status()).hasValue(409);
        assertThat(error).hasMessageContaining("not JSON");
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aConflictWithoutItsTerminationCodeIsMalformed(CallStyle style) {
        String body = """
                {"evaluationResult":{"associatedAdvice":[{"adviceType":"rule-violation","attributes":
                 {"rule":"max_streams","threshold":3,"current":4,"conflicts":[{"sessionId":"s-1"}]}}]}}""";

        assertThat(malformed(409, Map.of(), body, start(style))).hasMessageContaining("terminationCode");
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aThresholdThatIsNotANumberIsMalformed(CallStyle style) {
        String body = """
                {"evaluationResult":{"associatedAdvice":[{"adviceType":"rule-violation","attributes":
                 {"rule":"max_streams","threshold":"three","current":4,"conflicts":[]}}]}}""";

        assertThat(malformed(409, Map.of(), body, start(style))).hasMessageContaining("threshold");
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void anAcceptedStartWithoutTheSessionIdIsMalformed(CallStyle style) {
        assertThat(malformed(202, Map.of("Expires", FaultServer.in(60)), "", start(style)))
                .hasMessageContaining("Location");
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void anAcceptedStartWithoutExpiresIsMalformed(CallStyle style) {
        assertThat(malformed(202, Map.of("Location", "s-1"), "", start(style)))
                .hasMessageContaining("Expires");
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void anErrorPageInsteadOfTheErrorJsonIsMalformed(CallStyle style) {
        MalformedResponseException error = malformed(502, Map.of(), "<html>Bad gateway</html>", start(style));

        assertThat(error.status()).hasValue(502);
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aListingOfTheWrongShapeIsMalformed(CallStyle style) {
        assertThat(malformed(200, Map.of(), "{\"runningStreams\":\"none\"}", c -> style.runningStreams(c, "alice")))
                .hasMessageContaining("runningStreams is not an array");
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void requiredMetadataThatIsNotAListOfStringsIsMalformed(CallStyle style) {
        assertThat(malformed(200, Map.of(), "[\"channel\", 7]", style::requiredMetadata))
                .hasMessageContaining("required metadata key");
    }

    @Test
    void anUnreadable409ToAHeartbeatEndsTheSessionInFailed() throws Exception {
        try (FaultServer fault = FaultServer.start((exchange, n) -> {
            if (n == 0) FaultServer.accepted(exchange, "s-1", 60);
            else FaultServer.reply(exchange, 409, Map.of(), "{\"evaluationResult\":7}");
        }); ManualTimeClient manual = ManualTimeClient.of(fault.uri("/"))) {
            StreamSession session = manual.client.start("idp1", "alice", Map.of("deviceId", "tv"));
            RecordingListener listener = new RecordingListener();
            session.setListener(listener);

            manual.scheduler.advance(Duration.ofSeconds(55));

            assertThat(listener.only(MalformedResponseException.class).status()).hasValue(409);
            assertThat(session.isActive()).isFalse();
        }
    }
}
