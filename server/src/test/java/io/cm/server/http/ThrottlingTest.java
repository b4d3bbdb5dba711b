package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.cm.server.http.Api.assertError;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throttling (SPEC §2): N inits per window per (idp, subject), N heartbeats/stops per window per
 * session; beyond, 429 {@code THROTTLED} with {@code Expires} (when the next call is accepted) and
 * {@code Retry-After}. Here N = 5 and the window is the default minute. demo-app-fifo is used so
 * that every accepted init is a 202 (latest wins).
 */
class ThrottlingTest {

    private static final String APP = "demo-app-fifo";
    private static final int LIMIT = 5;
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo(Map.of(
                "CM_THROTTLING_INITS_PER_WINDOW", Integer.toString(LIMIT),
                "CM_THROTTLING_SESSION_REQUESTS_PER_WINDOW", Integer.toString(LIMIT)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Instant httpDate(HttpResponse<String> response, String header) {
        return ZonedDateTime.parse(response.headers().firstValue(header).orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    }

    /** The 429 of the spec, whose next accepted call is at {@code acceptedFrom}. */
    private static void assertThrottled(HttpResponse<String> response, Instant acceptedFrom) {
        assertError(response, 429, "THROTTLED");
        assertThat(httpDate(response, "Expires")).isEqualTo(acceptedFrom.truncatedTo(ChronoUnit.SECONDS));
        long seconds = (Duration.between(server.clock.instant(), acceptedFrom).toMillis() + 999) / 1000;
        assertThat(response.headers().firstValue("Retry-After")).hasValue(Long.toString(seconds));
    }

    @Test
    void theSixthInitOfASubjectWithinTheWindowIsThrottledUntilTheWindowEnds() {
        Instant windowStart = server.clock.instant();
        for (int i = 1; i <= LIMIT; i++) started(server, APP, "/v2/sessions/idp/busy?deviceId=d" + i);

        HttpResponse<String> sixth = server.post(APP, "/v2/sessions/idp/busy?deviceId=d6");

        Instant acceptedFrom = windowStart.plus(WINDOW);
        assertThrottled(sixth, acceptedFrom);
        assertThat(sixth.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(sixth.headers().firstValue("Location")).isEmpty();

        server.clock.advance(WINDOW.minusMillis(1));
        HttpResponse<String> early = server.post(APP, "/v2/sessions/idp/busy?deviceId=d7");
        assertThrottled(early, acceptedFrom);
        assertThat(early.headers().firstValue("Retry-After")).hasValue("1");

        server.clock.advance(Duration.ofMillis(1));
        started(server, APP, "/v2/sessions/idp/busy?deviceId=d8");
    }

    @Test
    void anotherSubjectIsNotThrottledByABusyOne() {
        for (int i = 1; i <= LIMIT; i++) started(server, APP, "/v2/sessions/idp/noisy?deviceId=d" + i);
        assertError(server.post(APP, "/v2/sessions/idp/noisy?deviceId=d6"), 429, "THROTTLED");

        started(server, APP, "/v2/sessions/idp/quiet?deviceId=d1");
        started(server, APP, "/v2/sessions/other-idp/noisy?deviceId=d1");
        started(server, "demo-app", "/v2/sessions/idp/quiet2?deviceId=d1");
    }

    @Test
    void aThrottledInitChangesNothing() {
        for (int i = 1; i <= LIMIT; i++) started(server, APP, "/v2/sessions/idp/unchanged?deviceId=d" + i);
        JsonNode before = Api.runningStreams(server, APP, "idp", "unchanged");
        assertThat(before.path("runningStreams")).hasSize(2);

        assertError(server.post(APP, "/v2/sessions/idp/unchanged?deviceId=d9"), 429, "THROTTLED");

        assertThat(Api.runningStreams(server, APP, "idp", "unchanged")).isEqualTo(before);
    }

    @Test
    void theSixthHeartbeatOfASessionWithinTheWindowIsThrottledWhileAnotherSessionIsNot() {
        String busy = started(server, APP, "/v2/sessions/idp/beater?deviceId=d1");
        String calm = started(server, APP, "/v2/sessions/idp/beater?deviceId=d2");
        Instant windowStart = server.clock.instant();
        for (int i = 1; i <= LIMIT; i++) {
            assertThat(server.post(APP, "/v2/sessions/idp/beater/" + busy).statusCode()).isEqualTo(202);
        }

        HttpResponse<String> sixth = server.post(APP, "/v2/sessions/idp/beater/" + busy);

        Instant acceptedFrom = windowStart.plus(WINDOW);
        assertThrottled(sixth, acceptedFrom);
        assertThrottled(server.delete(APP, "/v2/sessions/idp/beater/" + busy), acceptedFrom);
        assertThat(server.post(APP, "/v2/sessions/idp/beater/" + calm).statusCode())
                .as("another session of the same subject has its own budget").isEqualTo(202);

        server.clock.advance(WINDOW);
        assertThat(server.post(APP, "/v2/sessions/idp/beater/" + busy).statusCode()).isEqualTo(202);
        assertThat(server.delete(APP, "/v2/sessions/idp/beater/" + busy).statusCode()).isEqualTo(202);
    }
}
