package io.cm.client;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The service answered something this client cannot read: a body that is not the documented JSON,
 * a required field missing or of the wrong type, a success without its required headers, or a
 * status the API does not define. Carries the HTTP status; the message names what was wrong.
 */
public final class MalformedResponseException extends ConcurrencyException {

    MalformedResponseException(String message, int status, Throwable cause) {
        super(message, OptionalInt.of(status), Optional.empty(), cause);
    }
}
