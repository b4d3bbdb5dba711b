package io.cm.core.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
