package io.cm.server.stream;

import io.cm.server.events.JoinRequest.Reset;
import io.cm.server.events.JoinRequest;
import io.cm.server.http.OAuthError;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Optional;

/**
 * The parameters of a live-stream request (SPEC §6), checked: {@code maxConnections} 1..8 (absent
 * means 1), {@code reset} {@code smallest|largest}, {@code clientId} from the query or else the
 * {@code X-Client-Id} header. Anything else is a 400.
 */
final class StreamRequest {

    private static final int MAX_CONNECTIONS = 8;
    private static final int MAX_CLIENT_ID_LENGTH = 256;

    private StreamRequest() {
    }

    static JoinRequest of(HttpServerRequest request) {
        MultiMap query = request.params();
        int maxConnections = single(query, "maxConnections").map(StreamRequest::maxConnections).orElse(1);
        Optional<Reset> reset = single(query, "reset").map(StreamRequest::reset);
        Optional<String> clientId = single(query, "clientId")
                .or(() -> Optional.ofNullable(request.getHeader("X-Client-Id")))
                .map(StreamRequest::clientId);
        return new JoinRequest(maxConnections, reset, clientId);
    }

    private static Optional<String> single(MultiMap query, String name) {
        List<String> values = query.getAll(name);
        if (values.size() > 1) throw invalid(name + " is given " + values.size() + " times");
        return values.stream().findFirst();
    }

    private static int maxConnections(String text) {
        if (!text.matches("[0-9]{1,2}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > MAX_CONNECTIONS) {
            throw invalid("maxConnections must be an integer from 1 to " + MAX_CONNECTIONS + ", not '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static Reset reset(String text) {
        return switch (text) {
            case "smallest" -> Reset.SMALLEST;
            case "largest" -> Reset.LARGEST;
            default -> throw invalid("reset must be smallest or largest, not '" + text + "'");
        };
    }

    private static String clientId(String text) {
        if (text.isEmpty() || text.length() > MAX_CLIENT_ID_LENGTH || text.chars().anyMatch(Character::isISOControl)) {
            throw invalid("clientId must be 1 to " + MAX_CLIENT_ID_LENGTH + " characters without control characters");
        }
        return text;
    }

    private static OAuthError invalid(String description) {
        return new OAuthError(400, "invalid_request", description);
    }
}
