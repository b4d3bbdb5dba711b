package io.cm.server.http;

import io.cm.core.evaluation.Evaluation;

import java.util.List;
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
    private final transient List<String> details;

    public ApiError(int status, String code, String message, Optional<Evaluation> evaluation,
                    Map<String, String> headers) {
        this(status, code, message, evaluation, headers, List.of());
    }

    /** @param details every problem found, for errors that list several (e.g. an invalid configuration) */
    public ApiError(int status, String code, String message, Optional<Evaluation> evaluation,
                    Map<String, String> headers, List<String> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.evaluation = evaluation;
        this.headers = Map.copyOf(headers);
        this.details = List.copyOf(details);
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

    public List<String> details() {
        return details;
    }
}
