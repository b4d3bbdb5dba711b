package io.cm.server.http;

import io.cm.core.evaluation.Evaluation;

import java.util.Map;
import java.util.Optional;

/**
 * A request that ends in an error response of the spec's shape. Thrown from handlers, answered by
 * the router's failure handler, so every error path produces the same body.
 */
public final class ApiError extends RuntimeException {

    private final int status;
    private final String code;
    private final transient Optional<Evaluation> evaluation;
    private final transient Map<String, String> headers;

    public ApiError(int status, String code, String message, Optional<Evaluation> evaluation,
                    Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.evaluation = evaluation;
        this.headers = Map.copyOf(headers);
    }

    public ApiError(int status, String code, String message) {
        this(status, code, message, Optional.empty(), Map.of());
    }

    public static ApiError invalid(String message) {
        return new ApiError(400, "INVALID_REQUEST", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Optional<Evaluation> evaluation() {
        return evaluation;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
