package io.cm.core.evaluation;

import io.cm.core.session.Session;

/** A session a FIFO policy ends to make room for a start, with the advice its next heartbeat gets. */
public record Dismissal(Session session, Advice.RuleViolation advice) {
}
