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
import java.util.stream.Collectors;

/**
 * Decides whether a session may run beside the subject's other active sessions. Pure: the same
 * inputs give the same verdict, so a store may re-run it when an optimistic commit loses a race.
 *
 * <p>For a start, violations of LIFO policies deny it; violations of FIFO policies permit it and
 * dismiss the oldest offending sessions. A start denied by any LIFO policy dismisses nothing.
 *
 * <p>A heartbeat is judged by what broke the rule. A violation its own metadata change causes (the
 * same heartbeat with the session's previous metadata would not break that rule) is decided as a
 * start would be: LIFO denies the heartbeating session, FIFO keeps it and dismisses the oldest
 * others. A violation that exists anyway, because the policies changed under running sessions
 * (SPEC §9), is resolved by age: FIFO dismisses the oldest sessions beyond the limit, whichever
 * heartbeats first (the heartbeating session itself when it is among them); LIFO keeps every
 * running session, and new starts are denied until the subject is under the limit again.
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

    /**
     * Evaluates a heartbeat of {@code app}'s session, which had {@code previousMetadata} and now has
     * {@code candidate.metadata()}. A denied verdict ends the heartbeating session and dismisses no
     * other; a permitted one may dismiss others (FIFO).
     */
    public Verdict evaluateHeartbeat(Application app, Candidate candidate, Map<String, String> previousMetadata,
                                     List<Session> others) {
        List<Violation> violations = violations(app, candidate, others);
        if (violations.isEmpty()) return new Verdict(permit(), List.of());
        Set<Violation.Key> standing = previousMetadata.equals(candidate.metadata())
                ? null
                : violations(app, new Candidate(candidate.sessionId(), candidate.terminationCode(),
                        candidate.startTime(), previousMetadata), others).stream().map(Violation::key)
                .collect(Collectors.toSet());
        Session self = new Session(candidate.sessionId(), candidate.terminationCode(), app.id(), candidate.startTime(),
                candidate.startTime(), Long.MAX_VALUE, candidate.metadata());
        List<Advice.RuleViolation> denials = new ArrayList<>();
        Map<String, Dismissal> dismissals = new LinkedHashMap<>();
        for (Violation violation : violations) {
            boolean causedByThisHeartbeat = standing != null && !standing.contains(violation.key());
            if (causedByThisHeartbeat) {
                if (violation.policy.mode() == ConflictMode.LIFO) {
                    denials.add(violation.advice);
                } else {
                    Advice.RuleViolation shown = violation.advice.dismissing(candidate.sessionId(),
                            List.of(asConflict(candidate, app)));
                    violation.toDismiss.forEach(victim -> dismissals.putIfAbsent(victim.id(), new Dismissal(victim, shown)));
                }
            } else if (violation.policy.mode() == ConflictMode.FIFO) {
                List<Session> beyond = beyondLimit(violation, self);
                List<Session> kept = new ArrayList<>(violation.population);
                kept.add(self);
                kept.removeAll(beyond);
                Advice.RuleViolation shown = violation.advice.listing(conflicts(app, kept));
                if (beyond.contains(self)) {
                    denials.add(shown);
                } else {
                    beyond.forEach(victim -> dismissals.putIfAbsent(victim.id(), new Dismissal(victim, shown)));
                }
            }
        }
        if (!denials.isEmpty()) return new Verdict(Evaluation.deny(denials), List.of());
        return new Verdict(permit(), List.copyOf(dismissals.values()));
    }

    /**
     * The sessions a FIFO rule broken by running sessions ends: the oldest beyond the limit among the
     * counted sessions and the heartbeating one ({@code self}), for per-value rules among those of
     * its value, for distinct rules every session of the least recently started values.
     */
    private static List<Session> beyondLimit(Violation violation, Session self) {
        List<Session> all = new ArrayList<>(violation.population);
        all.add(self);
        all.sort(BY_AGE);
        int excess = violation.advice.current() - violation.advice.threshold();
        if (!(violation.rule instanceof Rule.MaxDistinct distinct)) return oldest(all, excess);
        Map<String, List<Session>> byValue = new LinkedHashMap<>();
        for (Session s : all) byValue.computeIfAbsent(s.metadata().get(distinct.attributeName()), k -> new ArrayList<>()).add(s);
        return leastRecentValues(byValue, excess);
    }

    private static Evaluation permit() {
        return new Evaluation(Decision.PERMIT, List.of(), List.of());
    }

    /**
     * A broken rule: the advice, the other sessions the rule looks at ({@code population}, oldest
     * first), and those a start would dismiss under FIFO ({@code toDismiss}).
     */
    private record Violation(Policy policy, Rule rule, Advice.RuleViolation advice, List<Session> population,
                             List<Session> toDismiss) {
        record Key(String policy, Rule rule) {
        }

        Key key() {
            return new Key(policy.name(), rule);
        }
    }

    /**
     * Oldest first. Sorts are stable, so sessions started in the same millisecond keep the subject's
     * order (start order), and a heartbeating session counts as the newest of its millisecond.
     */
    private static final Comparator<Session> BY_AGE = Comparator.comparingLong(Session::startTime);

    private List<Violation> violations(Application app, Candidate candidate, List<Session> others) {
        List<Violation> found = new ArrayList<>();
        for (Policy policy : catalog.policiesOf(app)) {
            if (!policy.applies(candidate.metadata())) continue;
            List<Session> relevant = others.stream()
                    .filter(s -> catalog.counts(policy, s.applicationId()) && policy.applies(s.metadata()))
                    .sorted(BY_AGE)
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
                        Optional.empty(), Optional.empty(), relevant, relevant,
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
                        Optional.of(r.attributeName()), Optional.of(value), same, same,
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
                List<Session> withValues = relevant.stream().filter(s -> s.metadata().containsKey(r.attributeName()))
                        .toList();
                yield Optional.of(violation(app, policy, r, current, Optional.of(r.attributeName()),
                        Optional.empty(), others, withValues, leastRecentValues(byOtherValue, current - r.limit()),
                        "You have reached your maximum of " + r.limit() + " different " + r.attributeName()
                                + " values"));
            }
        };
    }

    /**
     * {@code listed}: the sessions the user could stop; {@code population}: every other session the
     * rule looks at (for a distinct rule, also those sharing the evaluated session's value).
     */
    private Violation violation(Application viewer, Policy policy, Rule rule, int current, Optional<String> attribute,
                                Optional<String> value, List<Session> listed, List<Session> population,
                                List<Session> toDismiss, String message) {
        return new Violation(policy, rule, new Advice.RuleViolation(policy.name(), rule.name(), message, rule.limit(),
                current, attribute, value, conflicts(viewer, listed), Optional.empty()), population, toDismiss);
    }

    private List<Conflict> conflicts(Application viewer, List<Session> counted) {
        return counted.stream()
                .filter(s -> catalog.isVisible(viewer, s.applicationId()))
                .sorted(BY_AGE)
                .map(this::asConflict)
                .toList();
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
