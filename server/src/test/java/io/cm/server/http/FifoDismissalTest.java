package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.runningStreams;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/** FIFO / latest-wins (SPEC §1): demo-app-fifo allows 2 streams; a 3rd start dismisses the oldest. */
class FifoDismissalTest {

    private static final String APP = "demo-app-fifo";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private record Three(String oldest, String middle, String newest) {
    }

    /** Three starts one second apart; the third must be permitted. */
    private static Three startThree(String subject) {
        String oldest = started(server, APP, "/v2/sessions/idp/" + subject + "?deviceId=d1");
        server.clock.advance(Duration.ofSeconds(1));
        String middle = started(server, APP, "/v2/sessions/idp/" + subject + "?deviceId=d2");
        server.clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> third = server.post(APP, "/v2/sessions/idp/" + subject + "?deviceId=d3");
        assertThat(third.statusCode()).as("the start beyond a FIFO limit is permitted: " + third.body()).isEqualTo(202);
        return new Three(oldest, middle, third.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void theOldestSessionsNextHeartbeatIsDeniedNamingTheSessionThatDisplacedIt() {
        Three s = startThree("fifo1");

        HttpResponse<String> beat = server.post(APP, "/v2/sessions/idp/fifo1/" + s.oldest());

        JsonNode body = assertError(beat, 409, "POLICY_VIOLATION");
        assertThat(body.at("/evaluationResult/decision").asText()).isEqualTo("DENY");
        JsonNode advice = body.at("/evaluationResult/associatedAdvice");
        assertThat(advice).hasSize(1);
        assertThat(advice.get(0).path("adviceType").asText()).isEqualTo("rule-violation");
        JsonNode attributes = advice.get(0).path("attributes");
        assertThat(attributes.path("dismissedBy").asText()).isEqualTo(s.newest());
        assertThat(attributes.path("policy").asText()).isEqualTo("latest-wins");
        assertThat(attributes.path("rule").asText()).isEqualTo("max_streams");
        assertThat(attributes.path("threshold").asInt()).isEqualTo(2);
        assertThat(attributes.path("current").asInt()).isEqualTo(3);
    }

    @Test
    void theNewestAndTheMiddleSessionsKeepRunningAndOnlyTheyAreListed() {
        Three s = startThree("fifo2");

        assertThat(server.post(APP, "/v2/sessions/idp/fifo2/" + s.newest()).statusCode()).isEqualTo(202);
        assertThat(server.post(APP, "/v2/sessions/idp/fifo2/" + s.middle()).statusCode()).isEqualTo(202);

        JsonNode running = runningStreams(server, APP, "idp", "fifo2");
        assertThat(running.path("runningStreams")).hasSize(2);
        assertThat(running.path("runningStreams")).extracting(n -> n.path("sessionId").asText())
                .containsExactlyInAnyOrder(s.middle(), s.newest());
        assertThat(running.path("otherStreams").asInt()).isZero();
    }

    @Test
    void aDismissedSessionNoLongerCountsSoTheSubjectStaysAtTheLimit() {
        Three s = startThree("fifo3");
        assertError(server.post(APP, "/v2/sessions/idp/fifo3/" + s.oldest()), 409, "POLICY_VIOLATION");
        server.clock.advance(Duration.ofSeconds(1));

        String fourth = started(server, APP, "/v2/sessions/idp/fifo3?deviceId=d4");

        JsonNode running = runningStreams(server, APP, "idp", "fifo3");
        assertThat(running.path("runningStreams")).extracting(n -> n.path("sessionId").asText())
                .containsExactlyInAnyOrder(s.newest(), fourth);
        assertError(server.post(APP, "/v2/sessions/idp/fifo3/" + s.middle()), 409, "POLICY_VIOLATION");
    }

    @Test
    void stoppingADismissedSessionAnswersGone() {
        Three s = startThree("fifo4");
        HttpResponse<String> stop = server.delete(APP, "/v2/sessions/idp/fifo4/" + s.oldest());
        assertThat(stop.statusCode()).isEqualTo(410);
    }
}
