package io.cm.core.evaluation;

import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.session.Session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a session may run beside the subject's other active sessions. Pure: the same
 * inputs give the same verdict, so a store may re-run it when an optimistic commit loses a race.
 *
 * <p>For a start, violations of LIFO policies deny it; violations of FIFO policies permit it and
 * dismiss the oldest offending sessions. A start denied by any LIFO policy dismisses nothing. For a
 * heartbeat every violation denies, whatever the mode: the heartbeating session is the one that ends.
 */
public final class PolicyEvaluator {

    private final Catalog catalog;

    public PolicyEvaluator(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Evaluates a start of {@code app}; {@code others} are the subject's other active sessions. */
    public Verdict evaluateStart(Application app, Candidate candidate, List<Session> others) {
        List<Advice.RuleViolation> denials = new ArrayList<>();
        Map<String, Dismissal> dismissals = new LinkedHashMap<>();
        for (Violation violation : violations(app, candidate, others)) {
            if (violation.policy.mode() == ConflictMode.LIFO) {
                denials.add(violation.advice);
            } else {
                Advice.RuleViolation shown = violation.advice.dismissing(candidate.sessionId(),
                        List.of(asConflict(candidate, app)));
                for (Session victim : violation.toDismiss) {
                    dismissals.putIfAbsent(victim.id(), new Dismissal(victim, shown));
                }
            }
        }
        if (!denials.isEmpty()) return new Verdict(Evaluation.deny(denials), List.of());
        return new Verdict(permit(), List.copyOf(dismissals.values()));
    }

    /** Evaluates a heartbeat of {@code app}'s session; any violation denies it. */
    public Evaluation evaluateHeartbeat(Application app, Candidate candidate, List<Session> others) {
        List<Advice.RuleViolation> denials = violations(app, candidate, others).stream().map(v -> v.advice).toList();
        return denials.isEmpty() ? permit() : Evaluation.deny(denials);
    }

    private static Evaluation permit() {
        return new Evaluation(Decision.PERMIT, List.of(), List.of());
    }

    private record Violation(Policy policy, Advice.RuleViolation advice, List<Session> toDismiss) {
    }

    private List<Violation> violations(Application app, Candidate candidate, List<Session> others) {
        List<Violation> found = new ArrayList<>();
        for (Policy policy : catalog.policiesOf(app)) {
            if (!policy.applies(candidate.metadata())) continue;
            List<Session> relevant = others.stream()
                    .filter(s -> catalog.counts(policy, s.applicationId()) && policy.applies(s.metadata()))
                    .sorted(Comparator.comparingLong(Session::startTime))
                    .toList();
            for (Rule rule : policy.rules()) {
                check(app, policy, rule, candidate, relevant).ifPresent(found::add);
            }
        }
        return found;
    }

    private Optional<Violation> check(Application app, Policy policy, Rule rule, Candidate candidate,
                                      List<Session> relevant) {
        return switch (rule) {
            case Rule.MaxStreams r -> {
                int current = relevant.size() + 1;
                yield current <= r.limit() ? Optional.empty() : Optional.of(violation(app, policy, r, current,
                        Optional.empty(), Optional.empty(), relevant,
                        oldest(relevant, current - r.limit()),
                        "You have reached your maximum of " + r.limit() + " concurrent streams"));
            }
            case Rule.MaxPerValue r -> {
                String value = candidate.metadata().get(r.attributeName());
                if (value == null) yield Optional.empty();
                List<Session> same = relevant.stream()
                        .filter(s -> value.equals(s.metadata().get(r.attributeName()))).toList();
                int current = same.size() + 1;
                yield current <= r.limit() ? Optional.empty() : Optional.of(violation(app, policy, r, current,
                        Optional.of(r.attributeName()), Optional.of(value), same,
                        oldest(same, current - r.limit()),
                        "You have reached your maximum of " + r.limit() + " concurrent streams with "
                                + r.attributeName() + " " + value));
            }
            case Rule.MaxDistinct r -> {
                String value = candidate.metadata().get(r.attributeName());
                if (value == null) yield Optional.empty();
                Map<String, List<Session>> byOtherValue = new HashMap<>();
                for (Session s : relevant) {
                    String v = s.metadata().get(r.attributeName());
                    if (v != null && !v.equals(value)) byOtherValue.computeIfAbsent(v, k -> new ArrayList<>()).add(s);
                }
                int current = byOtherValue.size() + 1;
                if (current <= r.limit()) yield Optional.empty();
                List<Session> others = relevant.stream().filter(s -> byOtherValue.containsKey(
                        s.metadata().get(r.attributeName()))).toList();
                yield Optional.of(violation(app, policy, r, current, Optional.of(r.attributeName()),
                        Optional.empty(), others, leastRecentValues(byOtherValue, current - r.limit()),
                        "You have reached your maximum of " + r.limit() + " different " + r.attributeName()
                                + " values"));
            }
        };
    }

    private Violation violation(Application viewer, Policy policy, Rule rule, int current, Optional<String> attribute,
                                Optional<String> value, List<Session> counted, List<Session> toDismiss,
                                String message) {
        List<Conflict> conflicts = counted.stream()
                .filter(s -> catalog.isVisible(viewer, s.applicationId()))
                .map(this::asConflict)
                .toList();
        return new Violation(policy, new Advice.RuleViolation(policy.name(), rule.name(), message, rule.limit(),
                current, attribute, value, conflicts, Optional.empty()), toDismiss);
    }

    /** {@code relevant} is sorted by start time. */
    private static List<Session> oldest(List<Session> relevant, int count) {
        return relevant.subList(0, Math.min(count, relevant.size()));
    }

    /** All sessions of the {@code count} values whose most recent start is oldest. */
    private static List<Session> leastRecentValues(Map<String, List<Session>> byValue, int count) {
        List<List<Session>> groups = new ArrayList<>(byValue.values());
        groups.sort(Comparator.comparingLong(g -> g.getLast().startTime()));
        Set<Session> chosen = new LinkedHashSet<>();
        groups.subList(0, Math.min(count, groups.size())).forEach(chosen::addAll);
        return List.copyOf(chosen);
    }

    private Conflict asConflict(Session s) {
        return new Conflict(s.id(), s.terminationCode(), s.applicationId(), applicationName(s.applicationId()),
                s.startTime(), s.metadata());
    }

    private static Conflict asConflict(Candidate c, Application app) {
        return new Conflict(c.sessionId(), c.terminationCode(), app.id(), app.name(), c.startTime(), c.metadata());
    }

    private String applicationName(String applicationId) {
        return catalog.application(applicationId).map(Application::name).orElse(applicationId);
    }
}
