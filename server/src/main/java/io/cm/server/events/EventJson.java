package io.cm.server.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.cm.core.event.SessionEvent;
import io.cm.server.http.EvaluationJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
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

    private static void optional(JsonGenerator json, String name, Optional<String> value) throws IOException {
        if (value.isPresent()) json.writeStringField(name, value.get());
    }
}
