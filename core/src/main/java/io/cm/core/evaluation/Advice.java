package io.cm.core.evaluation;

import java.util.List;
import java.util.Optional;

/** Why a decision went the way it did; the 409 and 410 bodies carry these. */
public sealed interface Advice {

    /**
     * A broken rule. {@code current} counts the evaluated session too. {@code attribute}/{@code value}
     * are set for per-value and distinct rules ({@code value} for per-value only). {@code dismissedBy}
     * names the session that displaced a FIFO-dismissed one.
     */
    record RuleViolation(String policy, String rule, String message, int threshold, int current,
                         Optional<String> attribute, Optional<String> value, List<Conflict> conflicts,
                         Optional<String> dismissedBy) implements Advice {
        public RuleViolation {
            conflicts = List.copyOf(conflicts);
        }

        public RuleViolation dismissing(String byWhom, List<Conflict> displacer) {
            return new RuleViolation(policy, rule, message, threshold, current, attribute, value, displacer,
                    Optional.of(byWhom));
        }

        /** This violation with other sessions to list, e.g. those that stay when running sessions are dismissed. */
        public RuleViolation listing(List<Conflict> others) {
            return new RuleViolation(policy, rule, message, threshold, current, attribute, value, others, dismissedBy);
        }
    }

    /** The session was killed by another session's X-Terminate. */
    record RemoteTermination(String terminatedBy, String reason, Terminator terminator) implements Advice {
        public static final String REASON = "New session requested with X-Terminate header";
        /** {@code terminatedBy} of a session an operator ended (admin API). */
        public static final String OPERATOR = "operator";

        /** The advice of a session an operator ended at {@code now}. */
        public static RemoteTermination byOperator(long now) {
            return new RemoteTermination(OPERATOR, "Terminated by an operator",
                    new Terminator("Operator", Optional.empty(), Optional.empty(), now));
        }
    }

    /** What a user is shown of the session that killed theirs. */
    record Terminator(String applicationName, Optional<String> deviceName, Optional<String> channel,
                      long startTime) {
    }
}
