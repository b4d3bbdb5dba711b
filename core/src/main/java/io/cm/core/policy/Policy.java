package io.cm.core.policy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A named set of rules with a conflict mode and an optional target. May be shared by tenants. */
public record Policy(String name, List<Rule> rules, ConflictMode mode, Optional<Target> target) {
    public Policy {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("policy name is required");
        if (rules == null || rules.isEmpty()) throw new IllegalArgumentException("policy " + name + " has no rules");
        rules = List.copyOf(rules);
        mode = mode == null ? ConflictMode.LIFO : mode;
        target = target == null ? Optional.empty() : target;
    }

    /** Whether a session with this metadata is evaluated by (and counts for) this policy. */
    public boolean applies(Map<String, String> metadata) {
        return target.map(t -> t.matches(metadata)).orElse(true);
    }

    /** Metadata keys this policy reads: the target's attribute and every rule's attribute. */
    public Set<String> requiredMetadata() {
        Set<String> keys = new LinkedHashSet<>();
        target.ifPresent(t -> keys.add(t.attribute()));
        rules.forEach(rule -> rule.attribute().ifPresent(keys::add));
        return keys;
    }
}
