package io.cm.client;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A session API call that did not succeed: an error answer of the service, no answer at all after
 * the client's bounded retries, or a session that has already ended. Checked, so that an app decides
 * what its user sees instead of crashing. The subclasses are the outcomes an app handles on their own:
 * {@link ConcurrencyConflict}, {@link MissingMetadataException} and {@link MalformedResponseException}.
 */
public class ConcurrencyException extends Exception {

    private static final int NO_STATUS = -1;

    /** The HTTP status of the answer, or {@value #NO_STATUS}. */
    private final int status;
    /** The answer's {@code error.code}, or null. */
    private final String code;

    ConcurrencyException(String message, OptionalInt status, Optional<String> code, Throwable cause) {
        super(message, cause);
        this.status = status.orElse(NO_STATUS);
        this.code = code.orElse(null);
    }

    /**
     * The HTTP status of the service's answer.
     *
     * @return the status; empty when none arrived (network failure)
     */
    public OptionalInt status() {
        return status == NO_STATUS ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /**
     * The {@code error.code} of the answer's body, e.g. {@code THROTTLED} or {@code SESSION_NOT_FOUND}.
     *
     * @return the code; empty when the answer had none (or there was no answer)
     */
    public Optional<String> code() {
        return Optional.ofNullable(code);
    }
}
