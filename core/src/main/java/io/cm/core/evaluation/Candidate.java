package io.cm.core.evaluation;

import java.util.Map;

/** The session being evaluated: a start not yet admitted, or a heartbeating session. */
public record Candidate(String sessionId, String terminationCode, long startTime, Map<String, String> metadata) {
}
