package io.cm.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cm.core.evaluation.Advice;
import io.cm.core.evaluation.Conflict;
import io.cm.core.evaluation.Evaluation;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire shape of an event (SPEC §5; schema SessionEvent of the OpenAPI document). */
class EventJsonTest {

    private static final long AT = Instant.parse("2026-03-04T05:06:07.008Z").toEpochMilli();

    private static JsonNode encoded(SessionEvent event) throws IOException {
        return new ObjectMapper().readTree(EventJson.encode(event));
    }

    private static SessionEvent event(SessionEventType type, Optional<String> sessionId, Optional<Evaluation> evaluation,
                                      Optional<String> terminatedBy) {
        return new SessionEvent("hit-1", AT, type, "demo", "demo-app", "Demo application", "idp1", "alice",
                sessionId, sessionId.map(id -> "K7Q2ZP"), Map.of("deviceId", "tv", "channel", "news"), evaluation,
                terminatedBy);
    }

    @Test
    void aStartedEventHasEveryFieldWithAnIsoUtcMillisecondTimestampAndItsWireType() throws IOException {
        JsonNode json = encoded(event(SessionEventType.STARTED, Optional.of("s-1"), Optional.empty(), Optional.empty()));

        assertThat(json.path("hit_id").asText()).isEqualTo("hit-1");
        assertThat(json.path("timestamp").asText()).isEqualTo("2026-03-04T05:06:07.008Z");
        assertThat(json.path("type").asText()).isEqualTo("session.started");
        assertThat(json.path("tenant").asText()).isEqualTo("demo");
        assertThat(json.path("applicationId").asText()).isEqualTo("demo-app");
        assertThat(json.path("applicationName").asText()).isEqualTo("Demo application");
        assertThat(json.path("idp").asText()).isEqualTo("idp1");
        assertThat(json.path("subject").asText()).isEqualTo("alice");
        assertThat(json.path("sessionId").asText()).isEqualTo("s-1");
        assertThat(json.path("terminationCode").asText()).isEqualTo("K7Q2ZP");
        assertThat(json.path("metadata").toString()).isEqualTo("{\"channel\":\"news\",\"deviceId\":\"tv\"}");
        assertThat(json.has("evaluationResult")).isFalse();
        assertThat(json.has("terminatedBy")).isFalse();
    }

    @Test
    void aWholeSecondStillHasItsMilliseconds() throws IOException {
        SessionEvent event = new SessionEvent("hit-2", Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(),
                SessionEventType.HEARTBEAT, "demo", "demo-app", "Demo application", "idp1", "alice",
                Optional.of("s-1"), Optional.of("K7Q2ZP"), Map.of(), Optional.empty(), Optional.empty());

        assertThat(encoded(event).path("timestamp").asText()).isEqualTo("2026-01-01T00:00:00.000Z");
    }

    @Test
    void aDeniedStartHasNoSessionAndCarriesTheEvaluationWithItsAdvice() throws IOException {
        Conflict conflict = new Conflict("s-0", "ABC123", "demo-app", "Demo application", 1L, Map.of("deviceId", "tv"));
        Advice violation = new Advice.RuleViolation("demo-policy", "max_streams", "too many streams", 3, 4,
                Optional.empty(), Optional.empty(), List.of(conflict), Optional.empty());

        JsonNode json = encoded(event(SessionEventType.DENIED, Optional.empty(),
                Optional.of(Evaluation.deny(List.of(violation))), Optional.empty()));

        assertThat(json.path("type").asText()).isEqualTo("session.denied");
        assertThat(json.has("sessionId")).isFalse();
        assertThat(json.has("terminationCode")).isFalse();
        JsonNode advice = json.path("evaluationResult").path("associatedAdvice").path(0);
        assertThat(json.path("evaluationResult").path("decision").asText()).isEqualTo("DENY");
        assertThat(advice.path("adviceType").asText()).isEqualTo("rule-violation");
        assertThat(advice.path("attributes").path("rule").asText()).isEqualTo("max_streams");
        assertThat(advice.path("attributes").path("conflicts").path(0).path("terminationCode").asText())
                .isEqualTo("ABC123");
    }

    @Test
    void aKilledSessionNamesTheSessionThatKilledIt() throws IOException {
        JsonNode json = encoded(event(SessionEventType.KILLED, Optional.of("s-1"), Optional.empty(), Optional.of("s-9")));

        assertThat(json.path("type").asText()).isEqualTo("session.killed");
        assertThat(json.path("terminatedBy").asText()).isEqualTo("s-9");
    }

    @Test
    void anEventReadBackIsTheEventWrittenButForItsEvaluation() {
        SessionEvent killed = event(SessionEventType.KILLED, Optional.of("s-1"), Optional.empty(), Optional.of("s-9"));
        Advice violation = new Advice.RuleViolation("demo-policy", "max_streams", "too many streams", 3, 4,
                Optional.empty(), Optional.empty(), List.of(), Optional.empty());
        SessionEvent denied = event(SessionEventType.DENIED, Optional.empty(),
                Optional.of(Evaluation.deny(List.of(violation))), Optional.empty());

        assertThat(EventJson.decodeWithoutEvaluation(EventJson.encode(killed))).isEqualTo(killed);
        assertThat(EventJson.decodeWithoutEvaluation(EventJson.encode(denied)))
                .isEqualTo(event(SessionEventType.DENIED, Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void bytesThatAreNotAnEventAreRefusedByName() {
        assertThatThrownBy(() -> EventJson.decodeWithoutEvaluation("{\"type\":\"session.paused\"}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session.paused");
        assertThatThrownBy(() -> EventJson.decodeWithoutEvaluation("not json".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> EventJson.decodeWithoutEvaluation("{\"type\":\"session.started\"}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hit_id is missing");
    }
}
