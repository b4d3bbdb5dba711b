package io.cm.server.token;

import java.util.Set;

/** A token as the endpoint hands it out: the compact JWT, its lifetime in seconds, the streams it reads. */
public record IssuedToken(String value, long expiresInSeconds, Set<String> streams) {
    public IssuedToken {
        streams = Set.copyOf(streams);
    }
}
