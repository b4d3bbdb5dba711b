package io.cm.server.token;

import io.cm.server.config.StreamClientSettings;
import io.cm.server.credentials.SecretHash;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The configured clients of the token endpoint, by id. */
public final class StreamClients {

    /**
     * Checked when the id is unknown, so that an unknown id costs as long as a wrong secret and timing
     * does not tell which ids exist. No secret matches it.
     */
    private static final SecretHash NO_CLIENT = SecretHash.parse("pbkdf2-sha256$" + SecretHash.DEFAULT_ITERATIONS
            + "$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

    private final Map<String, StreamClientSettings> clients;

    public StreamClients(List<StreamClientSettings> clients) {
        this.clients = clients.stream().collect(Collectors.toUnmodifiableMap(StreamClientSettings::id, Function.identity()));
    }

    /**
     * The client {@code id} when {@code secret} is its secret. Costs a key derivation (a quarter of a
     * second by default), whatever the outcome: call it on a worker thread.
     */
    public Optional<StreamClientSettings> authenticate(String id, String secret) {
        StreamClientSettings client = clients.get(id);
        boolean matches = (client == null ? NO_CLIENT : client.secret()).matches(secret);
        return matches && client != null ? Optional.of(client) : Optional.empty();
    }
}
