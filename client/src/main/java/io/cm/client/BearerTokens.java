package io.cm.client;

/**
 * Where the live-stream client gets the bearer token of each connection attempt: a fixed token, or
 * access tokens obtained with client credentials ({@link ClientCredentialsTokens}). Called on the
 * reading thread only.
 */
interface BearerTokens {

    /** The token for the next attempt; obtaining one that is refused or unanswered is a {@link NotConnected}. */
    String current() throws NotConnected, InterruptedException;

    /**
     * The service answered 401 to {@code rejected}: whether a new token could help (the attempt is then
     * made once more with {@link #current()}).
     */
    boolean renewAfter(String rejected);

    /** A token written in the service's configuration: it never changes. */
    static BearerTokens fixed(String token) {
        return new BearerTokens() {
            @Override
            public String current() {
                return token;
            }

            @Override
            public boolean renewAfter(String rejected) {
                return false;
            }
        };
    }
}
