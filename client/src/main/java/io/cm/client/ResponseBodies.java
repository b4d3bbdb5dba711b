package io.cm.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the session API's answers (SPEC §2, §3) with {@link JsonShapes}. Anything unreadable is a
 * {@link MalformedResponseException} naming the status, what is wrong and an excerpt of the body,
 * never an unchecked exception.
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
        try {
            for (JsonNode key : body) keys.add(JsonShapes.text(key, "required metadata key"));
        } catch (UnexpectedJson e) {
            throw malformed(response, e);
        }
        return List.copyOf(keys);
    }

    /** The rule violations of a 409's {@code evaluationResult}; unknown advice types are skipped. */
    static List<RuleViolation> violations(HttpResponse<String> response) throws MalformedResponseException {
        try {
            return JsonShapes.violations(body(response).path("evaluationResult"));
        } catch (UnexpectedJson e) {
            throw malformed(response, e);
        }
    }

    /** A 410's {@code remote-termination} advice; empty for the bodiless 410 of an expired or stopped session. */
    static Optional<Terminator> terminator(HttpResponse<String> response) throws MalformedResponseException {
        if (response.body().isBlank()) return Optional.empty();
        for (JsonNode advice : body(response).path("evaluationResult").path("associatedAdvice")) {
            if (!"remote-termination".equals(advice.path("adviceType").asText())) continue;
            JsonNode attributes = advice.path("attributes");
            JsonNode terminator = attributes.path("terminator");
            try {
                return Optional.of(new Terminator(
                        JsonShapes.requiredText(attributes, "terminatedBy"),
                        attributes.path("reason").asText(""),
                        JsonShapes.optionalText(terminator, "applicationName"),
                        JsonShapes.optionalText(terminator, "deviceName"),
                        JsonShapes.optionalText(terminator, "channel"),
                        JsonShapes.optionalInstant(terminator, "startTime")));
            } catch (UnexpectedJson e) {
                throw malformed(response, e);
            }
        }
        throw malformed(response, "a 410 with a body but no remote-termination advice");
    }

    /** {@code GET /v2/runningStreams/…}. */
    static RunningStreams runningStreams(HttpResponse<String> response) throws MalformedResponseException {
        JsonNode body = body(response);
        JsonNode others = body.path("otherStreams");
        try {
            return new RunningStreams(JsonShapes.sessions(body.path("runningStreams"), "runningStreams"),
                    others.isInt() ? others.asInt() : 0);
        } catch (UnexpectedJson e) {
            throw malformed(response, e);
        }
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
            JsonNode body = body(response);
            String code = JsonShapes.requiredText(body.path("error"), "code");
            String message = "HTTP " + response.statusCode() + " " + code + ": " + body.path("error").path("message").asText("");
            if ("METADATA_MISSING".equals(code)) return new MissingMetadataException(message, missingKeys(body));
            return new ConcurrencyException(message, OptionalInt.of(response.statusCode()), Optional.of(code), null);
        } catch (UnexpectedJson e) {
            return malformed(response, e);
        } catch (MalformedResponseException e) {
            return e;
        }
    }

    /** The keys of the {@code refresh} obligations of a 400 (SPEC §2: {@code attributes.missing}). */
    private static List<String> missingKeys(JsonNode body) throws UnexpectedJson {
        List<String> missing = new ArrayList<>();
        for (JsonNode obligation : body.path("evaluationResult").path("obligations")) {
            if (!"refresh".equals(obligation.path("action").asText())) continue;
            for (JsonNode key : obligation.path("attributes").path("missing")) {
                missing.add(JsonShapes.text(key, "missing key"));
            }
        }
        return missing;
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

    private static MalformedResponseException malformed(HttpResponse<String> response, UnexpectedJson what) {
        return malformed(response, what.getMessage());
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
