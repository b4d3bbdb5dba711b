package io.cm.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A refused start is a typed {@link ConcurrencyConflict} (SPEC §3, §7) with everything the seed asks an
 * app to show: the limit, the sessions to choose from, a text for the user; and it copes with a 409
 * that lists no session (only a fault-injecting server sends one: the real one always shows them).
 */
class ConflictTest {

    private final RealServer server = Fixtures.demoServer();
    @RegisterExtension
    final ManualTimeClient demo = ManualTimeClient.of(server, "demo-app");
    private final ConcurrencyClient client = demo.client;


    /** What a start against a fake service answering every request with a 409 of {@code body} throws. */
    private static ConcurrencyConflict conflictFrom(CallStyle style, String body) {
        try (FaultServer fault = FaultServer.start((exchange, n) -> FaultServer.reply(exchange, 409, Map.of(), body));
             ManualTimeClient faulty = ManualTimeClient.of(fault.uri("/"))) {
            return catchThrowableOfType(ConcurrencyConflict.class,
                    () -> style.start(faulty.client, "alice", Map.of("deviceId", "tv")));
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aStartBeyondTheLimitIsAConflictWithTheRuleTheCountsAndTheSessionsToStop(CallStyle style) throws Exception {
        String subject = "conflict1-" + style;
        for (String device : List.of("tv", "phone", "tablet")) {
            client.start("idp1", subject, Map.of("deviceId", device, "channel", "Channel1"));
        }
        RunningStreams running = client.runningStreams("idp1", subject);

        ConcurrencyConflict conflict = catchThrowableOfType(ConcurrencyConflict.class,
                () -> style.start(client, subject, Map.of("deviceId", "laptop")));

        assertThat(conflict.status()).hasValue(409);
        assertThat(conflict.code()).hasValue("POLICY_VIOLATION");
        RuleViolation violation = conflict.violations().get(0);
        assertThat(conflict.violations()).hasSize(1);
        assertThat(violation.policy()).isEqualTo("demo-policy");
        assertThat(violation.rule()).isEqualTo("max_streams");
        assertThat(violation.threshold()).isEqualTo(3);
        assertThat(violation.current()).isEqualTo(4);
        assertThat(violation.message()).hasValue("You have reached your maximum of 3 concurrent streams");
        assertThat(conflict.sessions()).usingRecursiveComparison().isEqualTo(running.streams());
        assertThat(conflict.sessions()).extracting(ActiveSession::applicationName)
                .containsOnly(Optional.of("Demo application"));
        assertThat(conflict.hasResolvableConflicts()).isTrue();
        assertThat(conflict.metadata()).containsExactly(Map.entry("deviceId", "laptop"));
    }

    @Test
    void theExplanationStatesTheLimitAndNumbersTheSessionsToStop() throws Exception {
        for (String device : List.of("tv", "phone", "tablet")) {
            client.start("idp1", "conflict2", Map.of("deviceId", device));
        }

        ConcurrencyConflict conflict = catchThrowableOfType(ConcurrencyConflict.class,
                () -> client.start("idp1", "conflict2", Map.of("deviceId", "laptop")));

        // Start times are told relative to the 409's Date: the server's clock did not move since the starts.
        assertThat(conflict.explain()).isEqualTo("""
                You have reached your maximum of 3 concurrent streams.
                To watch here, stop one of these streams:
                  1. Demo application (deviceId=tv), started less than a minute ago
                  2. Demo application (deviceId=phone), started less than a minute ago
                  3. Demo application (deviceId=tablet), started less than a minute ago""");
    }

    @Test
    void startTimesAreToldRelativeToTheServersDateWhenItSendsOne() throws Exception {
        String body = """
                {"evaluationResult":{"associatedAdvice":[{"adviceType":"rule-violation","attributes":{
                 "rule":"max_streams","threshold":1,"current":2,"message":"One stream at a time",
                 "conflicts":[{"sessionId":"s-1","terminationCode":"K7Q2ZP","applicationName":"TV app",
                 "startTime":%d,"metadata":{"channel":"news"}}]}}]}}"""
                .formatted(Instant.now().minus(Duration.ofSeconds(75 * 60 + 30)).toEpochMilli());
        ConcurrencyConflict conflict = conflictFrom(CallStyle.BLOCKING, body);

        assertThat(conflict.explain()).isEqualTo("""
                One stream at a time.
                To watch here, stop one of these streams:
                  1. TV app (channel=news), started 1 h 15 min ago""");
    }

    @Test
    void aPerValueConflictNamesTheAttributeAndTheValueCounted() throws Exception {
        try (ManualTimeClient perChannelClient = demo.as(server, "demo-app-2")) {
            ConcurrencyClient perChannel = perChannelClient.client;
            perChannel.start("idp1", "conflict3", Map.of("channel", "news", "deviceId", "tv"));
            perChannel.start("idp1", "conflict3", Map.of("channel", "news", "deviceId", "phone"));

            ConcurrencyConflict conflict = catchThrowableOfType(ConcurrencyConflict.class,
                    () -> perChannel.start("idp1", "conflict3", Map.of("channel", "news", "deviceId", "laptop")));

            RuleViolation violation = conflict.violations().get(0);
            assertThat(violation.rule()).isEqualTo("max_per_value");
            assertThat(violation.attribute()).hasValue("channel");
            assertThat(violation.value()).hasValue("news");
            assertThat(violation.conflicts()).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void a409WithAnEmptyConflictListIsATypedConflictThatSaysWhatTheUserCanDo(CallStyle style) throws Exception {
        String seedBody = """
                {"status":"error","error":{"code":"POLICY_VIOLATION","message":"Concurrent usage limit exceeded"},
                 "evaluationResult":{"decision":"DENY","associatedAdvice":[{"id":"advice-1","adviceType":"rule-violation",
                 "attributes":{"rule":"max_streams","threshold":3,"current":4,"conflicts":[]}}]}}""";
        ConcurrencyConflict conflict = conflictFrom(style, seedBody);

        assertThat(conflict.violations()).singleElement().satisfies(v -> {
            assertThat(v.threshold()).isEqualTo(3);
            assertThat(v.conflicts()).isEmpty();
        });
        assertThat(conflict.sessions()).isEmpty();
        assertThat(conflict.hasResolvableConflicts()).isFalse();
        assertThat(conflict.explain()).isEqualTo("""
                You have reached a limit of 3 streams (max_streams).
                The streams counted against this limit cannot be stopped from here: \
                stop one on another device, then try again.""");
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void a409WithoutAnyRuleViolationIsStillATypedConflict(CallStyle style) throws Exception {
        String body = """
                {"status":"error","error":{"code":"POLICY_VIOLATION","message":"Denied"},
                 "evaluationResult":{"decision":"DENY","associatedAdvice":[{"adviceType":"some-future-advice"}]}}""";
        ConcurrencyConflict conflict = conflictFrom(style, body);

        assertThat(conflict.violations()).isEmpty();
        assertThat(conflict.hasResolvableConflicts()).isFalse();
        assertThat(conflict.explain()).startsWith("You have reached the maximum number of streams");
    }
}
