package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Types the JSON records of the live stream as {@link SessionEvent}s (SPEC §5). */
final class LiveRecords {

    private static final System.Logger LOG = System.getLogger(LiveRecords.class.getName());

    private LiveRecords() {
    }

    /** The event {@code record} (a JSON object) holds; an {@link SessionEvent.Unknown} when it cannot be typed. */
    static SessionEvent event(JsonNode record) {
        String type = record.path("type").asText("");
        try {
            return switch (type) {
                case "session.started" ->
                        new SessionEvent.Started(fields(type, record), sessionId(record), terminationCode(record));
                case "session.heartbeat" ->
                        new SessionEvent.Heartbeat(fields(type, record), sessionId(record), terminationCode(record));
                case "session.stopped" ->
                        new SessionEvent.Stopped(fields(type, record), sessionId(record), terminationCode(record));
                case "session.expired" ->
                        new SessionEvent.Expired(fields(type, record), sessionId(record), terminationCode(record));
                case "session.killed" -> new SessionEvent.Killed(fields(type, record), sessionId(record),
                        terminationCode(record), JsonShapes.requiredText(record, "terminatedBy"));
                case "session.dismissed" -> new SessionEvent.Dismissed(fields(type, record), sessionId(record),
                        terminationCode(record), violations(record));
                case "session.denied" -> new SessionEvent.Denied(fields(type, record), violations(record));
                default -> new SessionEvent.Unknown(type, record);
            };
        } catch (UnexpectedJson e) {
            LOG.log(System.Logger.Level.WARNING, "A {0} record that cannot be read as one ({1}) is delivered untyped: {2}",
                    type, e.getMessage(), record);
            return new SessionEvent.Unknown(type, record);
        }
    }

    private static EventFields fields(String type, JsonNode record) throws UnexpectedJson {
        return new EventFields(type, record,
                JsonShapes.requiredText(record, "hit_id"),
                timestamp(record),
                JsonShapes.requiredText(record, "tenant"),
                JsonShapes.requiredText(record, "applicationId"),
                JsonShapes.requiredText(record, "applicationName"),
                JsonShapes.requiredText(record, "idp"),
                JsonShapes.requiredText(record, "subject"),
                JsonShapes.metadata(record.path("metadata")));
    }

    private static Instant timestamp(JsonNode record) throws UnexpectedJson {
        String text = JsonShapes.requiredText(record, "timestamp");
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new UnexpectedJson("timestamp '" + text + "' is not an ISO-8601 instant");
        }
    }

    private static String sessionId(JsonNode record) throws UnexpectedJson {
        return JsonShapes.requiredText(record, "sessionId");
    }

    private static String terminationCode(JsonNode record) throws UnexpectedJson {
        return JsonShapes.requiredText(record, "terminationCode");
    }

    /** The advice of the record's {@code evaluationResult}; none when it has none. */
    private static List<RuleViolation> violations(JsonNode record) throws UnexpectedJson {
        JsonNode evaluation = record.path("evaluationResult");
        return evaluation.isMissingNode() || evaluation.isNull() ? List.of() : JsonShapes.violations(evaluation);
    }
}
