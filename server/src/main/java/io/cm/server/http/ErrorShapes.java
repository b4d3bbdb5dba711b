package io.cm.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Optional;

/**
 * The error body for a path, for errors answered before any route handler runs: the live stream's
 * own shape {@code {"error","error_description"}} under {@code /api/1/stream/} (SPEC §6), the §2
 * shape everywhere else.
 */
final class ErrorShapes {

    static final String JSON = "application/json;charset=utf-8";
    private static final String LIVE_STREAM_PREFIX = "/api/1/stream/";

    private ErrorShapes() {
    }

    /** The live stream and the token endpoint answer in the OAuth shape (RFC 6749 §5.2, RFC 6750 §3). */
    static boolean hasOAuthShape(String path) {
        return path != null && (path.startsWith(LIVE_STREAM_PREFIX) || path.equals(TokenEndpoint.PATH));
    }

    /** {@code code} in the §2 style (UPPER_SNAKE); the live stream's shape gets it in lower case. */
    static ObjectNode body(String path, String code, String message) {
        if (!hasOAuthShape(path)) return EvaluationJson.error(code, message, Optional.empty());
        return EvaluationJson.MAPPER.createObjectNode()
                .put("error", code.toLowerCase(Locale.ROOT))
                .put("error_description", message);
    }

    static String contentType(String path) {
        return hasOAuthShape(path) ? "application/json" : JSON;
    }
}
