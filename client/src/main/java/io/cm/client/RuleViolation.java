package io.cm.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One broken rule of a denial (a {@code rule-violation} advice of the 409 body).
 *
 * @param policy      the policy the rule belongs to
 * @param rule        the rule's name, e.g. {@code max_streams}
 * @param message     the service's sentence for the user, e.g. "You have reached your maximum of 3 concurrent streams"
 * @param threshold   the rule's limit
 * @param current     the count the attempted session would have made, itself included
 * @param attribute   the metadata key of a per-value or distinct-values rule
 * @param value       the value counted by a per-value rule
 * @param dismissedBy for a FIFO dismissal, the session that took this one's place
 * @param conflicts   the sessions the user could stop to resolve this rule; may be empty (e.g. they belong
 *                    to applications the caller may not see)
 */
public record RuleViolation(String policy, String rule, Optional<String> message, int threshold, int current,
                            Optional<String> attribute, Optional<String> value, Optional<String> dismissedBy,
                            List<ActiveSession> conflicts) {

    /** Copies {@code conflicts}. */
    public RuleViolation {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(rule, "rule");
        conflicts = List.copyOf(conflicts);
    }
}
