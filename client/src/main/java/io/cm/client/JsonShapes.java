package io.cm.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the service's JSON shapes (SPEC §3, §5) into this library's types, wherever they come from: an
 * answer of the session API or a record of the live stream. Strict about what the client needs (a
 * conflict's termination code, a rule's threshold), lenient about what it only shows, and ignores what
 * it does not know (new advice types, new fields), so that the service can grow.
 */
final class JsonShapes {

    private JsonShapes() {
    }

    /** The rule violations of an {@code evaluationResult}; advice of other types is skipped. */
    static List<RuleViolation> violations(JsonNode evaluationResult) throws UnexpectedJson {
        JsonNode advice = evaluationResult.path("associatedAdvice");
        if (!advice.isArray()) throw new UnexpectedJson("evaluationResult.associatedAdvice is not an array");
        List<RuleViolation> violations = new ArrayList<>();
        for (JsonNode item : advice) {
            if (!"rule-violation".equals(item.path("adviceType").asText())) continue;
            JsonNode attributes = item.path("attributes");
            violations.add(new RuleViolation(
                    attributes.path("policy").asText(""),
                    requiredText(attributes, "rule"),
                    optionalText(attributes, "message"),
                    requiredInt(attributes, "threshold"),
                    requiredInt(attributes, "current"),
                    optionalText(attributes, "attribute"),
                    optionalText(attributes, "value"),
                    optionalText(attributes, "dismissedBy"),
                    sessions(attributes.path("conflicts"), "conflicts")));
        }
        return List.copyOf(violations);
    }

    /** A list of sessions ({@code conflicts}, {@code runningStreams}); absent means none. */
    static List<ActiveSession> sessions(JsonNode list, String name) throws UnexpectedJson {
        if (list.isMissingNode() || list.isNull()) return List.of();
        if (!list.isArray()) throw new UnexpectedJson(name + " is not an array");
        List<ActiveSession> sessions = new ArrayList<>();
        for (JsonNode session : list) {
            sessions.add(new ActiveSession(
                    requiredText(session, "sessionId"),
                    requiredText(session, "terminationCode"),
                    optionalText(session, "applicationId"),
                    optionalText(session, "applicationName"),
                    optionalInstant(session, "startTime"),
                    metadata(session.path("metadata"))));
        }
        return sessions;
    }

    /** String keys and values; absent means none. */
    static Map<String, String> metadata(JsonNode node) throws UnexpectedJson {
        if (node.isMissingNode() || node.isNull()) return Map.of();
        if (!node.isObject()) throw new UnexpectedJson("metadata is not an object");
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            metadata.put(entry.getKey(), text(entry.getValue(), "metadata value " + entry.getKey()));
        }
        return metadata;
    }

    static String requiredText(JsonNode parent, String field) throws UnexpectedJson {
        return text(parent.path(field), field);
    }

    static String text(JsonNode node, String what) throws UnexpectedJson {
        if (!node.isTextual()) throw new UnexpectedJson(what + " is missing or not a string");
        return node.asText();
    }

    static int requiredInt(JsonNode parent, String field) throws UnexpectedJson {
        JsonNode node = parent.path(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new UnexpectedJson(field + " is missing or not an integer");
        }
        return node.asInt();
    }

    static Optional<String> optionalText(JsonNode parent, String field) {
        JsonNode node = parent.path(field);
        return node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
    }

    /** Epoch milliseconds. */
    static Optional<Instant> optionalInstant(JsonNode parent, String field) {
        JsonNode node = parent.path(field);
        return node.isIntegralNumber() ? Optional.of(Instant.ofEpochMilli(node.asLong())) : Optional.empty();
    }
}
