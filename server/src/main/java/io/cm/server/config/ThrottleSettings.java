package io.cm.server.config;

import io.cm.core.service.RequestLimits;
import io.cm.core.store.RequestLimit;

import java.time.Duration;

/**
 * Requests accepted per {@code window}: inits per (idp, subject), heartbeats and stops per session.
 */
public record ThrottleSettings(int initsPerWindow, int sessionRequestsPerWindow, Duration window) {

    public static final ThrottleSettings DEFAULTS = new ThrottleSettings(200, 200, Duration.ofMinutes(1));

    public ThrottleSettings {
        if (initsPerWindow < 1 || sessionRequestsPerWindow < 1
                || initsPerWindow > RequestLimit.MAX_PER_WINDOW || sessionRequestsPerWindow > RequestLimit.MAX_PER_WINDOW) {
            throw new IllegalArgumentException("throttle limits must be 1.." + RequestLimit.MAX_PER_WINDOW);
        }
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("throttle window must be positive");
    }

    public RequestLimits requestLimits() {
        return new RequestLimits(new RequestLimit(initsPerWindow, window.toMillis()),
                new RequestLimit(sessionRequestsPerWindow, window.toMillis()));
    }
}
