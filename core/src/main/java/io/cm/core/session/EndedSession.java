package io.cm.core.session;

import io.cm.core.evaluation.Advice;

/**
 * What is remembered of a session that another session ended (killed or dismissed), so that its
 * next heartbeat can be told why; forgotten at {@code forgetAt}. Sessions that stopped or expired
 * leave nothing: their signed id alone is enough to answer 410.
 */
public record EndedSession(String id, EndReason reason, Advice advice, long forgetAt) {
}
