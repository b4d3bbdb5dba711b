package io.cm.server.http;

import io.cm.core.session.SubjectKey;
import io.cm.server.config.InputLimits;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a request into the values the core decides on, enforcing the configured bounds. Metadata
 * may come in the query string and in an {@code application/x-www-form-urlencoded} body; a key
 * given twice with different values is rejected rather than silently picked. Names and metadata
 * must be valid UTF-8 ({@link StrictUtf8}).
 */
public final class RequestDecoder {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+");

    private final InputLimits limits;

    public RequestDecoder(InputLimits limits) {
        this.limits = limits;
    }

    public SubjectKey subject(RoutingContext ctx) {
        requireUtf8(ctx.request().path(), "path");
        return new SubjectKey(identifier(ctx, "idp"), identifier(ctx, "subject"));
    }

    public String sessionId(RoutingContext ctx) {
        return identifier(ctx, "sessionId");
    }

    private String identifier(RoutingContext ctx, String name) {
        String value = ctx.pathParam(name);
        if (value == null || value.isEmpty()) throw ApiError.invalid(name + " must not be empty");
        if (value.length() > limits.maxIdLength()) {
            throw ApiError.invalid(name + " is longer than " + limits.maxIdLength() + " characters");
        }
        if (hasControlCharacter(value)) throw ApiError.invalid(name + " contains a control character");
        return value;
    }

    public Map<String, String> metadata(RoutingContext ctx) {
        Map<String, String> metadata = new HashMap<>();
        String query = ctx.request().query();
        requireUtf8(query, "query");
        addAll(metadata, parameters(query, "query"), "query");
        // BodyTypes let only form bodies through; ISO-8859-1 keeps one char per byte for the UTF-8 check.
        String body = ctx.body().asString(StandardCharsets.ISO_8859_1.name());
        if (body != null && !body.isEmpty()) {
            requireUtf8(body, "body");
            addAll(metadata, parameters(ctx.body().asString(StandardCharsets.UTF_8.name()), "body"), "body");
        }
        if (metadata.size() > limits.maxMetadataKeys()) {
            throw ApiError.invalid("At most " + limits.maxMetadataKeys() + " metadata keys are accepted");
        }
        return metadata;
    }

    private static void requireUtf8(String raw, String where) {
        if (!StrictUtf8.isValid(raw)) throw ApiError.invalid("The " + where + " is not valid UTF-8 once percent-decoded");
    }

    /** Percent-decodes an {@code a=1&b=2} string; malformed escapes are the client's error. */
    private static Map<String, List<String>> parameters(String raw, String where) {
        if (raw == null || raw.isEmpty()) return Map.of();
        try {
            return new QueryStringDecoder(raw, StandardCharsets.UTF_8, false, 1024).parameters();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("Malformed percent-encoding in the " + where);
        }
    }

    private void addAll(Map<String, String> metadata, Map<String, List<String>> params, String where) {
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            String key = param.getKey();
            List<String> values = param.getValue();
            Set<String> distinct = new LinkedHashSet<>(values);
            if (distinct.size() > 1) throw ApiError.invalid("Metadata key " + key + " is given more than once in the " + where);
            String value = values.getFirst();
            checkEntry(key, value);
            String previous = metadata.put(key, value);
            if (previous != null && !previous.equals(value)) {
                throw ApiError.invalid("Metadata key " + key + " has different values in the query and the body");
            }
        }
    }

    private void checkEntry(String key, String value) {
        if (key.length() > limits.maxKeyLength() || !KEY.matcher(key).matches()) {
            throw ApiError.invalid("Metadata key must be 1.." + limits.maxKeyLength() + " characters of [A-Za-z0-9_.-]: "
                    + shorten(key));
        }
        if (value.length() > limits.maxValueLength()) {
            throw ApiError.invalid("Metadata value of " + key + " is longer than " + limits.maxValueLength() + " characters");
        }
        if (hasControlCharacter(value)) throw ApiError.invalid("Metadata value of " + key + " contains a control character");
    }

    /** Termination codes of X-Terminate: comma-separated and/or repeated header. */
    public Set<String> terminationCodes(RoutingContext ctx) {
        Set<String> codes = new LinkedHashSet<>();
        for (String header : ctx.request().headers().getAll("X-Terminate")) {
            for (String code : header.split(",")) {
                String trimmed = code.trim();
                if (trimmed.isEmpty()) continue;
                if (trimmed.length() > limits.maxIdLength() || hasControlCharacter(trimmed)) {
                    throw ApiError.invalid("X-Terminate holds a malformed termination code");
                }
                codes.add(trimmed);
            }
        }
        return codes;
    }

    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) return true;
        }
        return false;
    }

    private static String shorten(String key) {
        return key.length() <= 70 ? key : key.substring(0, 70) + "…";
    }
}
