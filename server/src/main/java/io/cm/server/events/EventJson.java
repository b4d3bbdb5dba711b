package io.cm.server.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.cm.core.event.SessionEvent;
import io.cm.core.event.SessionEventType;
import io.cm.server.http.EvaluationJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A session event in its wire shape (SPEC §5, schema {@code SessionEvent} of the OpenAPI document).
 * Written with the streaming generator: this runs once per event, on the log's writer thread
 * (or the Kafka publisher's).
 */
public final class EventJson {

    private static final JsonFactory JSON = EvaluationJson.MAPPER.getFactory();

    private EventJson() {
    }

    public static byte[] encode(SessionEvent event) {
        ByteArrayBuilder bytes = new ByteArrayBuilder(512);
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField("hit_id", event.hitId());
            json.writeStringField("timestamp", EventTimestamps.format(event.timestamp()));
            json.writeStringField("type", event.type().wireName());
            json.writeStringField("tenant", event.tenant());
            json.writeStringField("applicationId", event.applicationId());
            json.writeStringField("applicationName", event.applicationName());
            json.writeStringField("idp", event.idp());
            json.writeStringField("subject", event.subject());
            optional(json, "sessionId", event.sessionId());
            optional(json, "terminationCode", event.terminationCode());
            json.writeObjectFieldStart("metadata");
            String[] keys = event.metadata().keySet().toArray(String[]::new);
            Arrays.sort(keys);
            for (String key : keys) json.writeStringField(key, event.metadata().get(key));
            json.writeEndObject();
            if (event.evaluation().isPresent()) {
                // The same evaluation result as the 409 body (§3), so consumers parse one shape.
                json.writeFieldName("evaluationResult");
                json.writeTree(EvaluationJson.evaluation(event.evaluation().get()));
            }
            optional(json, "terminatedBy", event.terminatedBy());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode event " + event.hitId(), e);
        }
        return bytes.toByteArray();
    }

    /**
     * An event read back from its wire shape, without its evaluation result (left empty: readers of
     * the figures, such as the usage reports, count denials by type and do not need it).
     *
     * @throws IllegalArgumentException when {@code bytes} is not an event of this shape
     */
    public static SessionEvent decodeWithoutEvaluation(byte[] bytes) {
        JsonNode json;
        try {
            json = EvaluationJson.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        SessionEventType type = Arrays.stream(SessionEventType.values())
                .filter(t -> t.wireName().equals(json.path("type").asText())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown event type " + json.path("type")));
        Map<String, String> metadata = new HashMap<>();
        json.path("metadata").properties().forEach(entry -> metadata.put(entry.getKey(), entry.getValue().asText()));
        try {
            return new SessionEvent(required(json, "hit_id"), Instant.parse(required(json, "timestamp")).toEpochMilli(),
                    type, required(json, "tenant"), required(json, "applicationId"), json.path("applicationName").asText(),
                    required(json, "idp"), required(json, "subject"), optional(json, "sessionId"),
                    optional(json, "terminationCode"), Map.copyOf(metadata), Optional.empty(),
                    optional(json, "terminatedBy"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad timestamp: " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null || !value.isTextual()) throw new IllegalArgumentException(name + " is missing");
        return value.asText();
    }

    private static Optional<String> optional(JsonNode json, String name) {
        JsonNode value = json.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static void optional(JsonGenerator json, String name, Optional<String> value) throws IOException {
        if (value.isPresent()) json.writeStringField(name, value.get());
    }
}
