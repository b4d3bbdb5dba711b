package io.cm.server.token;

import java.time.Instant;
import java.util.Set;

/** What a presented bearer token turned out to be. */
public sealed interface TokenCheck {

    /** Signed by this service and not expired: it may read {@code streams}. */
    record Valid(String clientId, Set<String> streams) implements TokenCheck {
        public Valid {
            streams = Set.copyOf(streams);
        }
    }

    /** Signed by this service, but past its expiry: the consumer must obtain a new one. */
    record Expired(Instant at) implements TokenCheck {
    }

    /** Not a token of this service (malformed, or a signature that does not verify). */
    record Invalid() implements TokenCheck {
    }
}
