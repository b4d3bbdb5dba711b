package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.cm.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import static io.cm.server.http.Api.runningStreams;
import static io.cm.server.http.Api.started;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session life (SPEC §1): active while {@code now <= lastHeartbeat + H + grace} (60 s + 30 s by
 * default), expired after; driven by the test clock, never by sleeping.
 */
class ExpiryTest {

    private static final String APP = "demo-app";
    private static final Duration LIFETIME = Duration.ofSeconds(90);
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.demo();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String init(String subject) {
        return started(server, APP, "/v2/sessions/idp/" + subject + "?deviceId=d");
    }

    @Test
    void aHeartbeatAtExactlyStartPlusIntervalPlusGraceIsAccepted() {
        String id = init("edge");
        server.clock.advance(LIFETIME);

        HttpResponse<String> beat = server.post(APP, "/v2/sessions/idp/edge/" + id);

        assertThat(beat.statusCode()).isEqualTo(202);
        ZonedDateTime date = ZonedDateTime.parse(beat.headers().firstValue("Date").orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME);
        ZonedDateTime expires = ZonedDateTime.parse(beat.headers().firstValue("Expires").orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(date.toInstant()).isEqualTo(server.clock.instant().truncatedTo(ChronoUnit.SECONDS));
        assertThat(expires).isEqualTo(date.plusSeconds(60));
    }

    @Test
    void aHeartbeatRenewsTheLifetimeFromTheHeartbeatNotFromTheStart() {
        String id = init("renewed");
        server.clock.advance(Duration.ofSeconds(60));
        assertThat(server.post(APP, "/v2/sessions/idp/renewed/" + id).statusCode()).isEqualTo(202);
        server.clock.advance(LIFETIME);
        assertThat(server.post(APP, "/v2/sessions/idp/renewed/" + id).statusCode()).isEqualTo(202);
    }

    @Test
    void aSessionWhoseLastHeartbeatWas90001MillisecondsAgoIsGoneWithoutBody() {
        String id = init("late");
        server.clock.advance(Duration.ofSeconds(30));
        assertThat(server.post(APP, "/v2/sessions/idp/late/" + id).statusCode()).isEqualTo(202);
        server.clock.advance(LIFETIME.plusMillis(1));

        HttpResponse<String> beat = server.post(APP, "/v2/sessions/idp/late/" + id);

        assertThat(beat.statusCode()).isEqualTo(410);
        assertThat(beat.body()).isEmpty();
        assertThat(beat.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(server.post(APP, "/v2/sessions/idp/late/" + id).statusCode())
                .as("an expired session stays gone").isEqualTo(410);
    }

    @Test
    void anExpiredSessionNoLongerCountsTowardsTheLimit() {
        String first = init("counted");
        server.clock.advance(Duration.ofSeconds(30));
        String second = init("counted");
        String third = init("counted");
        assertThat(server.post(APP, "/v2/sessions/idp/counted?deviceId=x").statusCode())
                .as("at the limit of 3 while all are active").isEqualTo(409);

        server.clock.advance(Duration.ofSeconds(60).plusMillis(1)); // first: started 90 001 ms ago
        String fourth = init("counted");

        JsonNode running = runningStreams(server, APP, "idp", "counted");
        assertThat(running.path("runningStreams")).extracting(n -> n.path("sessionId").asText())
                .containsExactlyInAnyOrder(second, third, fourth)
                .doesNotContain(first);
        assertThat(server.post(APP, "/v2/sessions/idp/counted/" + first).statusCode()).isEqualTo(410);
    }

    @Test
    void runningStreamsOmitsExpiredSessionsEvenBeforeAnyWriteTouchesTheSubject() {
        String id = init("listed");
        server.clock.advance(LIFETIME.plusMillis(1));
        JsonNode running = runningStreams(server, APP, "idp", "listed");
        assertThat(running.path("runningStreams")).isEmpty();
        assertThat(running.path("otherStreams").asInt()).isZero();
        assertThat(server.post(APP, "/v2/sessions/idp/listed/" + id).statusCode()).isEqualTo(410);
    }

    @Test
    void stoppingAnExpiredSessionIsGoneWithoutBody() {
        String id = init("stopper");
        server.clock.advance(LIFETIME.plusMillis(1));

        HttpResponse<String> stop = server.delete(APP, "/v2/sessions/idp/stopper/" + id);

        assertThat(stop.statusCode()).isEqualTo(410);
        assertThat(stop.body()).isEmpty();
    }
}
