package io.cm.core.policy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configured applications and policies, with what is derived from them once: each
 * application's policies, required metadata, and which applications' sessions it may see.
 */
public final class Catalog {

    private final Map<String, Application> applications;
    private final Map<String, Policy> policies;
    private final Map<String, List<Policy>> policiesByApplication = new HashMap<>();
    private final Map<String, List<String>> requiredMetadata = new HashMap<>();
    private final Map<String, Set<String>> visibleApplications = new HashMap<>();
    private final long version;

    public Catalog(Collection<Application> applications, Collection<Policy> policies) {
        this.applications = index(applications, Application::id, "application");
        this.policies = index(policies, Policy::name, "policy");
        for (Application app : applications) {
            List<Policy> own = new ArrayList<>();
            for (String name : app.policies()) {
                Policy policy = this.policies.get(name);
                if (policy == null) {
                    throw new IllegalArgumentException("application " + app.id() + " references unknown policy " + name);
                }
                own.add(policy);
            }
            policiesByApplication.put(app.id(), List.copyOf(own));
            Set<String> keys = new LinkedHashSet<>();
            own.forEach(p -> keys.addAll(p.requiredMetadata()));
            requiredMetadata.put(app.id(), List.copyOf(keys));
        }
        for (Application app : applications) {
            Set<String> visible = new HashSet<>();
            for (Application other : applications) {
                if (other.tenant().equals(app.tenant()) || sharesPolicy(app, other)) visible.add(other.id());
            }
            visibleApplications.put(app.id(), Set.copyOf(visible));
        }
        this.version = fingerprint(this.applications.values(), this.policies.values());
    }

    /**
     * Identifies what decisions depend on (applications' policies and tenants, policies' rules,
     * modes and targets), the same on every node and across restarts: equal catalogs, equal versions.
     * Never 0, which stored states use for "evaluated under unknown policies".
     */
    public long version() {
        return version;
    }

    private static long fingerprint(Collection<Application> applications, Collection<Policy> policies) {
        StringBuilder text = new StringBuilder();
        applications.stream().sorted(Comparator.comparing(Application::id)).forEach(app -> text
                .append("app\0").append(app.id()).append('\0').append(app.tenant()).append('\0')
                .append(app.policies()).append('\n'));
        policies.stream().sorted(Comparator.comparing(Policy::name)).forEach(policy -> {
            text.append("policy\0").append(policy.name()).append('\0').append(policy.mode()).append('\0')
                    .append(policy.rules());
            policy.target().ifPresent(t -> text.append('\0').append(t.attribute()).append('\0')
                    .append(new TreeSet<>(t.values())));
            text.append('\n');
        });
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            long version = ByteBuffer.wrap(digest).getLong();
            return version == 0 ? 1 : version;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static boolean sharesPolicy(Application a, Application b) {
        return a.policies().stream().anyMatch(b::references);
    }

    private static <T> Map<String, T> index(Collection<T> items, java.util.function.Function<T, String> key, String what) {
        Map<String, T> map = new HashMap<>();
        for (T item : items) {
            if (map.put(key.apply(item), item) != null) {
                throw new IllegalArgumentException("duplicate " + what + " " + key.apply(item));
            }
        }
        return Map.copyOf(map);
    }

    public Optional<Application> application(String id) {
        return Optional.ofNullable(applications.get(id));
    }

    public Collection<Application> applications() {
        return applications.values();
    }

    public List<Policy> policiesOf(Application app) {
        return policiesByApplication.getOrDefault(app.id(), List.of());
    }

    /** Keys every init of this application must carry, in configuration order. */
    public List<String> requiredMetadata(Application app) {
        return requiredMetadata.getOrDefault(app.id(), List.of());
    }

    /** Sessions started by {@code applicationId} are visible to {@code viewer}: same tenant or a shared policy. */
    public boolean isVisible(Application viewer, String applicationId) {
        return visibleApplications.getOrDefault(viewer.id(), Set.of()).contains(applicationId);
    }

    /** Whether a session of {@code applicationId} counts for {@code policy} (its app references it). */
    public boolean counts(Policy policy, String applicationId) {
        Application app = applications.get(applicationId);
        return app != null && app.references(policy.name());
    }
}
