package io.cm.client;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An attempt to open the live stream that did not connect: an error status, or no answer at all
 * ({@link #getCause()}). {@link #permanent()} when asking again cannot help (401, 404, 400…); else the
 * next attempt waits {@link #retryAfter()} if the service said how long.
 */
final class NotConnected extends Exception {

    private static final int NO_STATUS = -1;

    private final int status;
    private final transient Optional<Duration> retryAfter;
    private final boolean permanent;

    private NotConnected(String description, int status, Optional<Duration> retryAfter, boolean permanent,
                         IOException cause) {
        super(description, cause);
        this.status = status;
        this.retryAfter = retryAfter;
        this.permanent = permanent;
    }

    static NotConnected refused(int status, Optional<Duration> retryAfter, String description, boolean permanent) {
        return new NotConnected(description, status, retryAfter, permanent, null);
    }

    static NotConnected unanswered(IOException cause) {
        return new NotConnected(cause.toString(), NO_STATUS, Optional.empty(), false, cause);
    }

    OptionalInt status() {
        return status == NO_STATUS ? OptionalInt.empty() : OptionalInt.of(status);
    }

    Optional<Duration> retryAfter() {
        return retryAfter;
    }

    boolean permanent() {
        return permanent;
    }
}
