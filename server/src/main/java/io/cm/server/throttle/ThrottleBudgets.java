package io.cm.server.throttle;

import io.cm.core.session.SubjectKey;

import java.time.Duration;

/**
 * Where the request budgets of {@link RequestThrottle} are kept: in this process, or in Redis, shared
 * by every node. A budget allows {@link Limit#perWindow()} requests and refills whole at the end of
 * each window, windows counted from its first request.
 */
public interface ThrottleBudgets {

    record Limit(int perWindow, Duration window) {
    }

    /**
     * Takes one request from the budget {@code budget} of {@code subject}: returns 0 if it was there,
     * else the milliseconds (at least 1) until the budget refills.
     */
    long tryTake(SubjectKey subject, String budget, Limit limit);
}
