package io.cm.server.config;

import com.fasterxml.jackson.core.JsonPointer;
import io.cm.core.event.SessionEventType;
import io.cm.core.policy.Application;
import io.cm.core.policy.Catalog;
import io.cm.core.policy.ConflictMode;
import io.cm.core.policy.Policy;
import io.cm.core.policy.Rule;
import io.cm.core.policy.Target;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rules of a {@link ManagedConfig}, all checked and every broken one listed (the config file at
 * start-up and the admin API apply nothing unless all hold):
 * <ul>
 *   <li>tenant ids, application ids (across tenants), policy names and stream names are present,
 *       unique, at most 256 characters, without {@code /} or control characters (they are path
 *       segments of the admin API);</li>
 *   <li>an application names only configured policies;</li>
 *   <li>a policy has a mode LIFO or FIFO (any case; LIFO when absent), at least one rule, and a
 *       target, if any, with an attribute and at least one value;</li>
 *   <li>a rule has a known type and a limit of at least 1; max-per-value and max-distinct need an
 *       attribute, max-streams takes none;</li>
 *   <li>a stream names a configured tenant, has at least one non-empty token, and its event types,
 *       when given, are at least one known event type.</li>
 * </ul>
 * Used once per check; not thread-safe.
 */
final class ManagedConfigCheck {

    private static final int MAX_NAME_LENGTH = 256;

    private final ManagedConfig config;
    private final List<ConfigProblem> problems = new ArrayList<>();

    ManagedConfigCheck(ManagedConfig config) {
        this.config = config;
    }

    ConfigCheck run() {
        Set<String> policyNames = new HashSet<>();
        List<Policy> policies = new ArrayList<>();
        at(JsonPointer.empty().appendProperty("policies"), config.policies(), (where, entry) -> {
            if (name(where.appendProperty("name"), "policy name", entry.name(), policyNames)) {
                policy(where, entry).ifPresent(policies::add);
            }
        });
        Set<String> tenantIds = new HashSet<>();
        Set<String> applicationIds = new HashSet<>();
        List<Application> applications = new ArrayList<>();
        at(JsonPointer.empty().appendProperty("tenants"), config.tenants(), (where, tenant) -> {
            boolean named = name(where.appendProperty("id"), "tenant id", tenant.id(), tenantIds);
            at(where.appendProperty("applications"), tenant.applications(), (appWhere, app) -> {
                if (name(appWhere.appendProperty("id"), "application id", app.id(), applicationIds)
                        && references(appWhere, app, policyNames) && named) {
                    applications.add(new Application(app.id(), tenant.id(), app.name(), Optional.ofNullable(app.platform()),
                            app.policies(), Optional.ofNullable(app.secret())));
                }
            });
        });
        List<LiveStreamSettings> streams = new ArrayList<>();
        Set<String> streamNames = new HashSet<>();
        at(JsonPointer.empty().appendProperty("streams"), config.streams(), (where, stream) -> {
            boolean named = name(where.appendProperty("name"), "stream name", stream.name(), streamNames);
            boolean tenant = present(where.appendProperty("tenant"), "stream " + stream.name() + ": tenant",
                    stream.tenant());
            if (tenant && !tenantIds.contains(stream.tenant())) {
                problem(where.appendProperty("tenant"), "stream " + stream.name() + " names unknown tenant "
                        + stream.tenant());
                tenant = false;
            }
            boolean tokens = tokens(where.appendProperty("tokens"), stream);
            Optional<Set<SessionEventType>> types = types(where.appendProperty("types"), stream);
            if (named && tenant && tokens && types.isPresent()) {
                streams.add(new LiveStreamSettings(stream.name(), stream.tenant(), stream.tokens(), types.get()));
            }
        });
        if (!problems.isEmpty()) return new ConfigCheck.Invalid(problems);
        return new ConfigCheck.Valid(new ManagedSettings(config, new Catalog(applications, policies), streams));
    }

    private interface Item<T> {
        void check(JsonPointer where, T item);
    }

    /** Checks each item of {@code items}; a missing item (a hole in the list) is a problem of its own. */
    private <T> void at(JsonPointer list, List<T> items, Item<T> check) {
        for (int i = 0; i < items.size(); i++) {
            JsonPointer where = list.appendIndex(i);
            if (items.get(i) == null) {
                problem(where, "an entry is required here");
            } else {
                check.check(where, items.get(i));
            }
        }
    }

    private boolean name(JsonPointer where, String what, String value, Set<String> seen) {
        if (!present(where, what, value)) return false;
        if (value.length() > MAX_NAME_LENGTH) return problem(where, what + " is longer than " + MAX_NAME_LENGTH + " characters");
        if (value.indexOf('/') >= 0 || value.chars().anyMatch(Character::isISOControl)) {
            return problem(where, what + " '" + value + "' must not contain '/' or control characters");
        }
        if (!seen.add(value)) return problem(where, "duplicate " + what + " " + value);
        return true;
    }

    private boolean present(JsonPointer where, String what, String value) {
        return value != null && !value.isBlank() || problem(where, what + " is required");
    }

    private boolean references(JsonPointer where, ManagedConfig.ApplicationEntry app, Set<String> policyNames) {
        boolean known = true;
        List<String> names = app.policies();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!policyNames.contains(name)) {
                known = problem(where.appendProperty("policies").appendIndex(i),
                        "application " + app.id() + " references unknown policy " + name);
            }
        }
        if (new LinkedHashSet<>(names).size() != names.size()) {
            known = problem(where.appendProperty("policies"), "application " + app.id() + " names a policy twice");
        }
        return known;
    }

    private Optional<Policy> policy(JsonPointer where, ManagedConfig.PolicyEntry entry) {
        String what = "policy " + entry.name();
        Optional<ConflictMode> mode = mode(where.appendProperty("mode"), what, entry.mode());
        Optional<Target> target = Optional.empty();
        boolean targetValid = true;
        if (entry.target() != null) {
            target = target(where.appendProperty("target"), what, entry.target());
            targetValid = target.isPresent();
        }
        List<Rule> rules = new ArrayList<>();
        if (entry.rules().isEmpty()) problem(where.appendProperty("rules"), what + " has no rules");
        int before = problems.size();
        at(where.appendProperty("rules"), entry.rules(), (ruleWhere, rule) -> rule(ruleWhere, what, rule).ifPresent(rules::add));
        if (mode.isEmpty() || !targetValid || rules.isEmpty() || problems.size() != before) return Optional.empty();
        return Optional.of(new Policy(entry.name(), rules, mode.get(), target));
    }

    private Optional<ConflictMode> mode(JsonPointer where, String what, String mode) {
        if (mode == null) return Optional.of(ConflictMode.LIFO);
        try {
            return Optional.of(ConflictMode.valueOf(mode.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            problem(where, what + ": unknown conflict mode '" + mode + "' (expected LIFO or FIFO)");
            return Optional.empty();
        }
    }

    private Optional<Target> target(JsonPointer where, String what, ManagedConfig.TargetEntry target) {
        boolean attribute = present(where.appendProperty("attribute"), what + ": target attribute", target.attribute());
        boolean values = !target.values().isEmpty() && target.values().stream().allMatch(v -> v != null && !v.isEmpty())
                || problem(where.appendProperty("values"), what + ": target values must name at least one value");
        return attribute && values ? Optional.of(new Target(target.attribute(), new HashSet<>(target.values())))
                : Optional.empty();
    }

    private Optional<Rule> rule(JsonPointer where, String policy, ManagedConfig.RuleEntry rule) {
        String type = rule.type();
        if (!present(where.appendProperty("type"), policy + ": rule type", type)) return Optional.empty();
        String what = policy + ", rule " + type;
        boolean counts = switch (type) {
            case "max-streams" -> false;
            case "max-per-value", "max-distinct" -> true;
            default -> {
                problem(where.appendProperty("type"), policy + ": unknown rule type '" + type
                        + "' (expected max-streams, max-per-value or max-distinct)");
                yield false;
            }
        };
        boolean valid = rule.limit() != null && rule.limit() >= 1
                || problem(where.appendProperty("limit"), what + ": limit must be at least 1, was " + rule.limit());
        if (counts) {
            valid &= present(where.appendProperty("attribute"), what + ": attribute", rule.attribute());
        } else if (type.equals("max-streams") && rule.attribute() != null) {
            valid = problem(where.appendProperty("attribute"), what + " counts every session and takes no attribute");
        }
        if (!valid || !type.equals("max-streams") && !counts) return Optional.empty();
        return Optional.of(switch (type) {
            case "max-per-value" -> new Rule.MaxPerValue(rule.name(), rule.attribute(), rule.limit());
            case "max-distinct" -> new Rule.MaxDistinct(rule.name(), rule.attribute(), rule.limit());
            default -> new Rule.MaxStreams(rule.name(), rule.limit());
        });
    }

    private boolean tokens(JsonPointer where, ManagedConfig.StreamEntry stream) {
        if (stream.tokens().isEmpty()) return problem(where, "stream " + stream.name() + " needs at least one token");
        boolean valid = true;
        for (int i = 0; i < stream.tokens().size(); i++) {
            String token = stream.tokens().get(i);
            if (token == null || token.isBlank()) valid = problem(where.appendIndex(i), "stream " + stream.name()
                    + ": a token must not be empty");
        }
        return valid;
    }

    /** The event types a stream carries (all when absent), or empty after recording what is wrong. */
    private Optional<Set<SessionEventType>> types(JsonPointer where, ManagedConfig.StreamEntry stream) {
        if (stream.types() == null) return Optional.of(EnumSet.allOf(SessionEventType.class));
        if (stream.types().isEmpty()) {
            problem(where, "stream " + stream.name() + ": types must name at least one event type (leave it out to carry all)");
            return Optional.empty();
        }
        Set<SessionEventType> types = EnumSet.noneOf(SessionEventType.class);
        boolean valid = true;
        for (int i = 0; i < stream.types().size(); i++) {
            String name = stream.types().get(i);
            Optional<SessionEventType> type = Arrays.stream(SessionEventType.values())
                    .filter(t -> t.wireName().equals(name)).findFirst();
            if (type.isPresent()) {
                types.add(type.get());
            } else {
                valid = problem(where.appendIndex(i), "stream " + stream.name() + ": unknown event type '" + name
                        + "' (expected " + Arrays.stream(SessionEventType.values()).map(SessionEventType::wireName)
                        .collect(Collectors.joining(", ")) + ")");
            }
        }
        return valid ? Optional.of(types) : Optional.empty();
    }

    /** Records a problem; false, so that checks read {@code ok || problem(…)}. */
    private boolean problem(JsonPointer where, String message) {
        problems.add(new ConfigProblem(where, message));
        return false;
    }
}
