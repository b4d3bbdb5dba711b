package io.cm.server.events;

/**
 * A connection the group does not take (SPEC §6): {@code status} 409 (full, or another
 * {@code maxConnections}) or 503 (nothing to serve yet, or events unreachable), with the error
 * code of the live stream's error body and the seconds after which a retry makes sense.
 */
public final class GroupRefusal extends RuntimeException {

    private final int status;
    private final String error;
    private final int retryAfterSeconds;

    public GroupRefusal(int status, String error, String description, int retryAfterSeconds) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
