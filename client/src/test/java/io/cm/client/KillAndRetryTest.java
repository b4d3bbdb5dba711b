package io.cm.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Kill-and-retry (SPEC §2 X-Terminate, §7): the retry sends the user's original selection and ends only
 * the sessions the user picked. Application {@code strict} has two policies: at most 2 streams, and
 * at most 1 per channel, so that one pick can leave a start still refused.
 */
class KillAndRetryTest {

    private static final String CONFIG = """
            tenants:
              - id: t
                applications:
                  - id: strict
                    name: Strict player
                    policies: [two-streams, one-per-channel]
            policies:
              - name: two-streams
                rules:
                  - {type: max-streams, limit: 2}
              - name: one-per-channel
                rules:
                  - {type: max-per-value, attribute: channel, limit: 1}
            """;

    private static RealServer server;
    @RegisterExtension
    final ManualTimeClient strict = ManualTimeClient.of(server, "strict");
    private final ConcurrencyClient client = strict.client;

    @BeforeAll
    static void startServer() {
        server = RealServer.withConfig(CONFIG);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aRetryTerminatingThePickedSessionStartsWithTheOriginalMetadataAndEndsOnlyThePickedOne(CallStyle style)
            throws Exception {
        String subject = "kill1-" + style;
        StreamSession news = client.start("idp1", subject, Map.of("channel", "news", "deviceId", "tv"));
        StreamSession sports = client.start("idp1", subject, Map.of("channel", "sports", "deviceId", "phone"));
        Map<String, String> selection = Map.of("channel", "movies", "deviceId", "laptop", "assetId", "m-42");
        ConcurrencyConflict conflict = catchThrowableOfType(ConcurrencyConflict.class,
                () -> client.start("idp1", subject, selection));
        ActiveSession picked = conflict.sessions().stream()
                .filter(s -> s.sessionId().equals(news.id())).findFirst().orElseThrow();

        StreamSession started = style.retryTerminating(conflict, picked.terminationCode());

        assertThat(started.metadata()).isEqualTo(selection);
        RunningStreams running = client.runningStreams("idp1", subject);
        assertThat(running.streams()).extracting(ActiveSession::sessionId).containsExactlyInAnyOrder(sports.id(), started.id());
        ActiveSession onServer = running.streams().stream().filter(s -> s.sessionId().equals(started.id()))
                .findFirst().orElseThrow();
        assertThat(onServer.metadata()).containsAllEntriesOf(selection).containsEntry("superseded", picked.terminationCode());
    }

    @ParameterizedTest
    @EnumSource(CallStyle.class)
    void aRetryStillRefusedIsAFreshConflictAndTheNextRetryNamesEveryPickedCode(CallStyle style) throws Exception {
        String subject = "kill2-" + style;
        StreamSession news = client.start("idp1", subject, Map.of("channel", "news"));
        StreamSession sports = client.start("idp1", subject, Map.of("channel", "sports"));
        ConcurrencyConflict first = catchThrowableOfType(ConcurrencyConflict.class,
                () -> client.start("idp1", subject, Map.of("channel", "news", "deviceId", "laptop")));
        assertThat(first.violations()).extracting(RuleViolation::policy).containsExactly("two-streams", "one-per-channel");

        ConcurrencyConflict second = catchThrowableOfType(ConcurrencyConflict.class,
                () -> style.retryTerminating(first, codeOf(first, sports)));
        assertThat(second.violations()).extracting(RuleViolation::policy).containsExactly("one-per-channel");
        assertThat(second.metadata()).containsEntry("deviceId", "laptop");
        assertThat(client.runningStreams("idp1", subject).streams()).as("a refused retry ends nothing").hasSize(2);

        StreamSession started = style.retryTerminating(second, codeOf(second, news));

        assertThat(client.runningStreams("idp1", subject).streams()).extracting(ActiveSession::sessionId)
                .containsExactly(started.id());
    }

    private static String codeOf(ConcurrencyConflict conflict, StreamSession session) {
        return conflict.sessions().stream().filter(s -> s.sessionId().equals(session.id()))
                .map(ActiveSession::terminationCode).findFirst().orElseThrow();
    }
}
