package io.cm.server.stream;

import java.util.Map;

/**
 * A live-stream request refused with the stream's own error body (SPEC §6):
 * {@code {"error": <error>, "error_description": <message>}}, plus {@code headers}.
 */
final class StreamError extends RuntimeException {

    private final int status;
    private final String error;
    private final transient Map<String, String> headers;

    StreamError(int status, String error, String description, Map<String, String> headers) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    StreamError(int status, String error, String description) {
        this(status, error, description, Map.of());
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    Map<String, String> headers() {
        return headers;
    }
}
