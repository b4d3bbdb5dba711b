package io.cm.core.store;

/**
 * A {@link SessionStore} outside this process could not complete an operation now (unreachable,
 * too slow, or too contended). The caller may retry later; after a timeout the operation may
 * still have taken effect, as with any remote call that gets no answer.
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreUnavailableException(String message) {
        super(message);
    }
}
