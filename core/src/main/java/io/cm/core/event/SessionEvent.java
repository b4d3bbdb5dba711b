package io.cm.core.event;

import io.cm.core.evaluation.Evaluation;

import java.util.Map;
import java.util.Optional;

/**
 * One session transition. {@code timestamp} is epoch milliseconds. A denied start has no session
 * yet: its {@code sessionId}/{@code terminationCode} are empty and {@code evaluation} holds the advice.
 */
public record SessionEvent(String hitId, long timestamp, SessionEventType type, String tenant,
                           String applicationId, String applicationName, String idp, String subject,
                           Optional<String> sessionId, Optional<String> terminationCode,
                           Map<String, String> metadata, Optional<Evaluation> evaluation,
                           Optional<String> terminatedBy) {
}
