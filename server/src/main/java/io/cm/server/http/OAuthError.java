package io.cm.server.http;

import java.util.Map;

/**
 * A refusal in the OAuth shape (RFC 6749 §5.2, RFC 6750 §3) that the live stream (SPEC §6) and the
 * token endpoint answer with: {@code {"error": <error>, "error_description": <message>}}, plus {@code headers}.
 */
public final class OAuthError extends RuntimeException {

    private final int status;
    private final String error;
    private final transient Map<String, String> headers;

    public OAuthError(int status, String error, String description, Map<String, String> headers) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    public OAuthError(int status, String error, String description) {
        this(status, error, description, Map.of());
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
