package io.cm.server.throttle;

import io.cm.core.session.SubjectKey;
import io.cm.server.config.ThrottleSettings;

import java.time.Clock;
import java.util.OptionalLong;

/**
 * Request budgets: inits per (idp, subject), heartbeats and stops per session. A budget refills
 * whole at the end of its window, so "N per window, cleared after the window" holds exactly. The
 * budgets live where {@link ThrottleBudgets} keeps them: this process's memory, or Redis when
 * several nodes must share the counts.
 */
public final class RequestThrottle {

    private final Clock clock;
    private final ThrottleBudgets budgets;
    private final ThrottleBudgets.Limit initLimit;
    private final ThrottleBudgets.Limit sessionLimit;

    public RequestThrottle(ThrottleSettings settings, Clock clock, ThrottleBudgets budgets) {
        this.clock = clock;
        this.budgets = budgets;
        this.initLimit = new ThrottleBudgets.Limit(settings.initsPerWindow(), settings.window());
        this.sessionLimit = new ThrottleBudgets.Limit(settings.sessionRequestsPerWindow(), settings.window());
    }

    /** Empty if the init may go ahead, else the epoch millisecond from which the next one will be accepted. */
    public OptionalLong tryInit(SubjectKey subject) {
        return acceptedFrom(budgets.tryTake(subject, "init", initLimit));
    }

    /** As {@link #tryInit} for a heartbeat or stop of one session (of {@code subject}). */
    public OptionalLong trySessionRequest(SubjectKey subject, String sessionId) {
        return acceptedFrom(budgets.tryTake(subject, "session:" + sessionId, sessionLimit));
    }

    private OptionalLong acceptedFrom(long waitMillis) {
        return waitMillis == 0 ? OptionalLong.empty() : OptionalLong.of(clock.millis() + waitMillis);
    }
}
