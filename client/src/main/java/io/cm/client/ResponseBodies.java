package io.cm.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the session API's bodies (SPEC §2, §3) into this library's types. Strict about what the
 * client needs (a conflict's termination code, a rule's threshold), lenient about what it only shows,
 * and ignores what it does not know (new advice types, new fields), so that the service can grow.
 * Anything unreadable is a {@link MalformedResponseException}, never an unchecked exception.
 */
final class ResponseBodies {

    private static final int EXCERPT = 200;

    private ResponseBodies() {
    }

    /** {@code GET /v2/metadata}: a JSON array of strings. */
    static List<String> requiredMetadata(HttpResponse<String> response) throws MalformedResponseException {
        JsonNode body = body(response);
        if (!body.isArray()) throw malformed(response, "the required metadata is not a JSON array");
        List<String> keys = new ArrayList<>();
        for (JsonNode key : body) keys.add(text(response, key, "required metadata key"));
        return List.copyOf(keys);
    }

    /** The rule violations of a 409's {@code evaluationResult}; unknown advice types are skipped. */
    static List<RuleViolation> violations(HttpResponse<String> response) throws MalformedResponseException {
        JsonNode advice = body(response).path("evaluationResult").path("associatedAdvice");
        if (!advice.isArray()) throw malformed(response, "evaluationResult.associatedAdvice is not an array");
        List<RuleViolation> violations = new ArrayList<>();
        for (JsonNode item : advice) {
            if (!"rule-violation".equals(item.path("adviceType").asText())) continue;
            JsonNode attributes = item.path("attributes");
            violations.add(new RuleViolation(
                    attributes.path("policy").asText(""),
                    requiredText(response, attributes, "rule"),
                    optionalText(attributes, "message"),
                    requiredInt(response, attributes, "threshold"),
                    requiredInt(response, attributes, "current"),
                    optionalText(attributes, "attribute"),
                    optionalText(attributes, "value"),
                    optionalText(attributes, "dismissedBy"),
                    sessions(response, attributes.path("conflicts"), "conflicts")));
        }
        return List.copyOf(violations);
    }

    /** A 410's {@code remote-termination} advice; empty for the bodiless 410 of an expired or stopped session. */
    static Optional<Terminator> terminator(HttpResponse<String> response) throws MalformedResponseException {
        if (response.body().isBlank()) return Optional.empty();
        for (JsonNode advice : body(response).path("evaluationResult").path("associatedAdvice")) {
            if (!"remote-termination".equals(advice.path("adviceType").asText())) continue;
            JsonNode attributes = advice.path("attributes");
            JsonNode terminator = attributes.path("terminator");
            return Optional.of(new Terminator(
                    requiredText(response, attributes, "terminatedBy"),
                    attributes.path("reason").asText(""),
                    optionalText(terminator, "applicationName"),
                    optionalText(terminator, "deviceName"),
                    optionalText(terminator, "channel"),
                    optionalInstant(terminator, "startTime")));
        }
        throw malformed(response, "a 410 with a body but no remote-termination advice");
    }

    /** {@code GET /v2/runningStreams/…}. */
    static RunningStreams runningStreams(HttpResponse<String> response) throws MalformedResponseException {
        JsonNode body = body(response);
        JsonNode others = body.path("otherStreams");
        return new RunningStreams(sessions(response, body.path("runningStreams"), "runningStreams"),
                others.isInt() ? others.asInt() : 0);
    }

    /** The id of a started session: {@code Location} holds it bare; a path ending in it is read too. */
    static String sessionId(HttpResponse<String> response) throws MalformedResponseException {
        String location = response.headers().firstValue("Location").orElse("").trim();
        String id = location.substring(location.lastIndexOf('/') + 1);
        if (id.isEmpty()) throw malformed(response, "a 202 to a start without the session id in Location");
        return id;
    }

    /**
     * The exception for an error answer: a {@link MissingMetadataException} for the refresh obligation,
     * else a {@link ConcurrencyException} with the body's code and message, or a
     * {@link MalformedResponseException} when the body is not the service's error JSON.
     */
    static ConcurrencyException error(HttpResponse<String> response) {
        try {
            JsonNode error = body(response).path("error");
            String code = requiredText(response, error, "code");
            String message = "HTTP " + response.statusCode() + " " + code + ": " + error.path("message").asText("");
            if ("METADATA_MISSING".equals(code)) return new MissingMetadataException(message, missingKeys(response));
            return new ConcurrencyException(message, OptionalInt.of(response.statusCode()), Optional.of(code), null);
        } catch (MalformedResponseException e) {
            return e;
        }
    }

    /** The keys of the {@code refresh} obligations of a 400 (SPEC §2: {@code attributes.missing}). */
    private static List<String> missingKeys(HttpResponse<String> response) throws MalformedResponseException {
        List<String> missing = new ArrayList<>();
        for (JsonNode obligation : body(response).path("evaluationResult").path("obligations")) {
            if (!"refresh".equals(obligation.path("action").asText())) continue;
            for (JsonNode key : obligation.path("attributes").path("missing")) {
                missing.add(text(response, key, "missing key"));
            }
        }
        return missing;
    }

    private static List<ActiveSession> sessions(HttpResponse<String> response, JsonNode list, String name)
            throws MalformedResponseException {
        if (list.isMissingNode() || list.isNull()) return List.of();
        if (!list.isArray()) throw malformed(response, name + " is not an array");
        List<ActiveSession> sessions = new ArrayList<>();
        for (JsonNode session : list) {
            sessions.add(new ActiveSession(
                    requiredText(response, session, "sessionId"),
                    requiredText(response, session, "terminationCode"),
                    optionalText(session, "applicationId"),
                    optionalText(session, "applicationName"),
                    optionalInstant(session, "startTime"),
                    metadata(response, session.path("metadata"))));
        }
        return sessions;
    }

    private static Map<String, String> metadata(HttpResponse<String> response, JsonNode node)
            throws MalformedResponseException {
        if (node.isMissingNode() || node.isNull()) return Map.of();
        if (!node.isObject()) throw malformed(response, "metadata is not an object");
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            metadata.put(entry.getKey(), text(response, entry.getValue(), "metadata value " + entry.getKey()));
        }
        return metadata;
    }

    private static JsonNode body(HttpResponse<String> response) throws MalformedResponseException {
        try {
            JsonNode body = Json.MAPPER.readTree(response.body());
            if (body == null || body.isMissingNode()) throw malformed(response, "an empty body where JSON was expected");
            return body;
        } catch (JacksonException e) {
            throw new MalformedResponseException("HTTP " + response.statusCode() + " with a body that is not JSON: "
                    + excerpt(response), response.statusCode(), e);
        }
    }

    private static String requiredText(HttpResponse<String> response, JsonNode parent, String field)
            throws MalformedResponseException {
        return text(response, parent.path(field), field);
    }

    private static String text(HttpResponse<String> response, JsonNode node, String what)
            throws MalformedResponseException {
        if (!node.isTextual()) throw malformed(response, what + " is missing or not a string");
        return node.asText();
    }

    private static int requiredInt(HttpResponse<String> response, JsonNode parent, String field)
            throws MalformedResponseException {
        JsonNode node = parent.path(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw malformed(response, field + " is missing or not an integer");
        }
        return node.asInt();
    }

    private static Optional<String> optionalText(JsonNode parent, String field) {
        JsonNode node = parent.path(field);
        return node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static Optional<Instant> optionalInstant(JsonNode parent, String field) {
        JsonNode node = parent.path(field);
        return node.isIntegralNumber() ? Optional.of(Instant.ofEpochMilli(node.asLong())) : Optional.empty();
    }

    static MalformedResponseException malformed(HttpResponse<String> response, String what) {
        return new MalformedResponseException("HTTP " + response.statusCode() + ": " + what + " in " + excerpt(response),
                response.statusCode(), null);
    }

    private static String excerpt(HttpResponse<String> response) {
        String body = response.body();
        return body.length() <= EXCERPT ? "'" + body + "'" : "'" + body.substring(0, EXCERPT) + "…'";
    }
}
