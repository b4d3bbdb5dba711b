package io.cm.client;

import java.util.OptionalInt;

/**
 * The {@link LiveStreamClient} gave up: the service refused the connection for good (bad token,
 * unknown stream, bad parameters) or every attempt of the bounded reconnects failed. Unchecked
 * because it surfaces from {@link java.util.Iterator#hasNext()}; the callback style receives it
 * instead. Records received before it are all delivered.
 */
public final class LiveStreamException extends RuntimeException {

    private static final int NO_STATUS = -1;

    /** The HTTP status of the last refusal, or {@value #NO_STATUS}. */
    private final int status;

    LiveStreamException(String message, OptionalInt status, Throwable cause) {
        super(message, cause);
        this.status = status.orElse(NO_STATUS);
    }

    /**
     * The HTTP status of the last refusal.
     *
     * @return the status; empty when the last attempt got no answer
     */
    public OptionalInt status() {
        return status == NO_STATUS ? OptionalInt.empty() : OptionalInt.of(status);
    }
}
