package io.cm.core.store;

import java.util.Optional;

/**
 * One request to take from a subject's budget before a store operation: the subject's init budget,
 * or the budget of one of its sessions (heartbeats and stops). Only active sessions have a budget:
 * requests about a session that has ended are answered without one.
 *
 * @param now the request's time, epoch ms of the service's clock
 */
public record Spend(Optional<String> sessionId, RequestLimit limit, long now) {

    public static Spend init(RequestLimit limit, long now) {
        return new Spend(Optional.empty(), limit, now);
    }

    public static Spend session(String sessionId, RequestLimit limit, long now) {
        return new Spend(Optional.of(sessionId), limit, now);
    }
}
